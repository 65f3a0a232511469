import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { sameAccountServicePrincipal } from '../shared/principals';
import { ownProviderLogGroup } from '../shared/provider-log-group';
import { throwOnProblems } from '../shared/problems';
import { ServiceRole } from '../shared/service-role';
import { EncryptionKey } from '../security/encryption-key';
import { ExplicitIpAddresses } from './explicit-ip-addresses';
import { networkProblems } from './network-rules';

/**
 * A network as the layers above see it: the VPC and a subnet selection per tier. Data and compute
 * layers take this, not the {@link Network} class, so they can run in any VPC with such tiers.
 */
export interface INetwork extends IConstruct {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** The public tier: internet-facing, for NAT gateways (and load balancers, should one ever be public). */
  readonly publicSubnets: ec2.SubnetSelection;
  /** The application tier: private, egress through NAT. */
  readonly applicationSubnets: ec2.SubnetSelection;
  /** The database tier: isolated, no route to the internet. */
  readonly databaseSubnets: ec2.SubnetSelection;

  /**
   * Where the application tier reaches the AWS APIs `services` (interface endpoint short names, e.g.
   * `ecr.dkr`, `logs`) and S3 without the internet: the interface endpoints' security group and the
   * S3 gateway endpoint's prefix list. A workload whose security group allows HTTPS to these peers,
   * and nowhere else, still pulls images, writes logs and reads secrets.
   *
   * @returns the peers, or `undefined` when one of `services` has no interface endpoint here or the
   *   S3 prefix list is unknown: then NAT is the only way there.
   */
  privateAwsApiPeers(services: readonly string[]): ec2.IPeer[] | undefined;
}

/** Properties of a {@link Network}. */
export interface NetworkProps {
  /** The VPC's IPv4 block, e.g. `10.0.0.0/16`. */
  readonly vpcCidr: string;

  /**
   * Availability zones the VPC spans, named explicitly so that synthesis needs no lookup.
   * The stack must report the same zones from `Stack.availabilityZones`.
   */
  readonly availabilityZones: string[];

  /** Public tier subnet CIDRs, one per availability zone in the same order. Holds NAT gateways. */
  readonly publicSubnetCidrs: string[];

  /** Application tier subnet CIDRs (private, NAT egress), one per availability zone. */
  readonly applicationSubnetCidrs: string[];

  /** Database tier subnet CIDRs (isolated, no internet route), one per availability zone. */
  readonly databaseSubnetCidrs: string[];

  /**
   * NAT gateways, placed in the first public subnets. One is cheap but makes every AZ's
   * egress depend on one AZ; one per AZ survives an AZ outage.
   *
   * @default - one per availability zone
   */
  readonly natGateways?: number;

  /**
   * How long VPC flow logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Key that encrypts the flow-log group. A key passed in must already allow the
   * CloudWatch Logs service principal of this region to use it (see `EncryptionKey.allowCloudWatchLogs`).
   *
   * @default - a new customer-managed key with rotation
   */
  readonly flowLogEncryptionKey?: kms.IKey;

  /**
   * Principals that administer the flow-log key created here (see `EncryptionKey.administrators`).
   * Ignored when `flowLogEncryptionKey` is passed in.
   *
   * @default - only the deployment role administers the key (and the root user can recover it)
   */
  readonly flowLogKeyAdministrators?: iam.IPrincipal[];

  /**
   * Interface endpoints to create in the application tier, reachable on 443 from the VPC, with
   * private DNS. Each admits only principals of this stack's account (endpoint policy), so a
   * workload here cannot use it with credentials of another account. Every service must support
   * endpoint policies (`aws ec2 describe-vpc-endpoint-services --service-names <name> --query
   * 'ServiceDetails[].VpcEndpointPolicySupported'`); EC2 refuses to create the endpoint of one that
   * does not ("only supports the full-access endpoint policy").
   *
   * The S3 gateway endpoint is always created: it is free and carries ECR image layers.
   *
   * @default - none
   */
  readonly interfaceEndpoints?: ec2.InterfaceVpcEndpointAwsService[];

  /**
   * ID of the AWS-managed prefix list `com.amazonaws.<region>.s3` of this stack's region: the
   * addresses the S3 gateway endpoint routes. CloudFormation has no attribute for it, and it differs
   * by region. With it, `privateAwsApiPeers` can name S3 to a security group.
   *
   * @default - unknown: `privateAwsApiPeers` returns `undefined`
   */
  readonly s3PrefixListId?: string;

  /**
   * TCP ports the database tier serves (databases, caches, poolers). The database tier's
   * network ACL admits these from the application and database tiers only.
   *
   * @default [5432, 6379]
   */
  readonly databaseTierPorts?: number[];

  /**
   * What happens to the flow-log group and the key this construct creates when it is removed.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const EPHEMERAL_PORTS = ec2.AclTraffic.tcpPortRange(1024, 65535);
const HTTPS_PORT = 443;

/**
 * A three-tier VPC: public, application (private with NAT egress) and database (isolated).
 *
 * - Subnets get exactly the CIDRs given, one per tier and availability zone.
 * - All traffic is logged to a KMS-encrypted CloudWatch log group.
 * - The database tier's network ACL admits only the application and database tiers on the
 *   database ports, plus return traffic; the default security group has no rules.
 * - An S3 gateway endpoint always, and interface endpoints on request, keep AWS API traffic off NAT.
 */
export class Network extends Construct implements INetwork {
  /** Subnet group name of the public tier. */
  public static readonly PUBLIC_TIER = 'Public';
  /** Subnet group name of the application tier. */
  public static readonly APPLICATION_TIER = 'Application';
  /** Subnet group name of the database tier. */
  public static readonly DATABASE_TIER = 'Database';

  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The public tier: internet-facing, for NAT gateways (and load balancers, should one ever be public). */
  public readonly publicSubnets: ec2.SubnetSelection = { subnetGroupName: Network.PUBLIC_TIER };
  /** The application tier: private, egress through NAT. */
  public readonly applicationSubnets: ec2.SubnetSelection = { subnetGroupName: Network.APPLICATION_TIER };
  /** The database tier: isolated, no route to the internet. */
  public readonly databaseSubnets: ec2.SubnetSelection = { subnetGroupName: Network.DATABASE_TIER };
  /** The log group receiving the VPC's flow logs. */
  public readonly flowLogGroup: logs.ILogGroup;
  /**
   * The log group of the function that strips the default security group's rules (a function
   * aws-cdk-lib shares across the stack), encrypted with the flow-log key and kept as long as the
   * flow logs.
   */
  public readonly defaultSecurityGroupFunctionLogGroup: logs.ILogGroup;
  /** The key encrypting the flow-log group. */
  public readonly flowLogKey: kms.IKey;
  /** The network ACL of the database tier. */
  public readonly databaseNetworkAcl: ec2.INetworkAcl;
  /** The security group of the interface endpoints, when any are created. */
  public readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  /** The S3 gateway endpoint (application and database tiers). */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  /** Short names (`ecr.dkr`, `logs`, ...) of the interface endpoints created here. */
  public readonly interfaceEndpointServices: readonly string[];

  private readonly s3PrefixListId?: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    const azCount = props.availabilityZones.length;
    const natGateways = props.natGateways ?? azCount;
    const databaseTierPorts = props.databaseTierPorts ?? [5432, 6379];
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.validate(props, natGateways, databaseTierPorts);

    const vpc = new ec2.Vpc(this, 'Resource', {
      ipAddresses: new ExplicitIpAddresses(
        props.vpcCidr,
        {
          [Network.PUBLIC_TIER]: props.publicSubnetCidrs,
          [Network.APPLICATION_TIER]: props.applicationSubnetCidrs,
          [Network.DATABASE_TIER]: props.databaseSubnetCidrs,
        },
        props.availabilityZones,
      ),
      availabilityZones: props.availabilityZones,
      natGateways,
      subnetConfiguration: [
        {
          name: Network.PUBLIC_TIER,
          subnetType: ec2.SubnetType.PUBLIC,
          cidrMask: prefixOf(props.publicSubnetCidrs[0]),
          // Nothing in this tier needs a public IP of its own: NAT gateways bring Elastic IPs.
          mapPublicIpOnLaunch: false,
        },
        {
          name: Network.APPLICATION_TIER,
          subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
          cidrMask: prefixOf(props.applicationSubnetCidrs[0]),
        },
        {
          name: Network.DATABASE_TIER,
          subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: prefixOf(props.databaseSubnetCidrs[0]),
        },
      ],
      restrictDefaultSecurityGroup: true,
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });
    this.vpc = vpc;

    const flowLogs = this.createFlowLogs(vpc, props, removalPolicy);
    this.flowLogGroup = flowLogs.logGroup;
    this.flowLogKey = flowLogs.key;
    // restrictDefaultSecurityGroup's function would create its own log group on its first run.
    this.defaultSecurityGroupFunctionLogGroup = ownProviderLogGroup(this, {
      providerId: 'Custom::VpcRestrictDefaultSGCustomResourceProvider',
      customResource: vpc.node.findChild('RestrictDefaultSecurityGroupCustomResource'),
      encryptionKey: flowLogs.key,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });

    this.databaseNetworkAcl = this.createDatabaseAcl(vpc, props, databaseTierPorts);

    const endpoints = new Construct(this, 'Endpoints');
    this.s3Endpoint = new ec2.GatewayVpcEndpoint(endpoints, 'S3', {
      vpc,
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.applicationSubnets, this.databaseSubnets],
    });
    restrictS3Endpoint(this.s3Endpoint);
    this.s3PrefixListId = props.s3PrefixListId;
    const interfaceEndpoints = props.interfaceEndpoints ?? [];
    this.interfaceEndpointServices = interfaceEndpoints.map((service) => service.shortName);
    if (interfaceEndpoints.length > 0) {
      const securityGroup = new ec2.SecurityGroup(endpoints, 'SecurityGroup', {
        vpc,
        description: 'Interface endpoints: HTTPS from inside the VPC only',
        allowAllOutbound: false,
      });
      securityGroup.addIngressRule(ec2.Peer.ipv4(props.vpcCidr), ec2.Port.tcp(HTTPS_PORT), 'HTTPS from the VPC');
      this.endpointSecurityGroup = securityGroup;
      for (const service of interfaceEndpoints) {
        const endpoint = new ec2.InterfaceVpcEndpoint(endpoints, endpointId(service), {
          vpc,
          service,
          subnets: this.applicationSubnets,
          privateDnsEnabled: true,
          securityGroups: [securityGroup],
          // The security group above already admits the VPC on 443, as a literal CIDR.
          open: false,
        });
        endpoint.addToPolicy(ownAccountOnly(['*'], ['*']));
      }
    }
  }

  public privateAwsApiPeers(services: readonly string[]): ec2.IPeer[] | undefined {
    const covered = services.every((service) => this.interfaceEndpointServices.includes(service));
    if (!covered || this.endpointSecurityGroup === undefined || this.s3PrefixListId === undefined) {
      return undefined;
    }
    return [this.endpointSecurityGroup, ec2.Peer.prefixList(this.s3PrefixListId)];
  }

  /** Every problem of the props at once (`networkProblems`), defaults applied. */
  private validate(props: NetworkProps, natGateways: number, databaseTierPorts: number[]): void {
    throwOnProblems(
      this,
      networkProblems({
        vpcCidr: props.vpcCidr,
        availabilityZones: props.availabilityZones,
        tiers: {
          publicSubnetCidrs: props.publicSubnetCidrs,
          applicationSubnetCidrs: props.applicationSubnetCidrs,
          databaseSubnetCidrs: props.databaseSubnetCidrs,
        },
        natGateways,
        databaseTierPorts,
      }),
    );
  }

  private createFlowLogs(
    vpc: ec2.Vpc,
    props: NetworkProps,
    removalPolicy: RemovalPolicy,
  ): { key: kms.IKey; logGroup: logs.LogGroup } {
    const group = new Construct(this, 'FlowLogs');
    const key =
      props.flowLogEncryptionKey ??
      new EncryptionKey(group, 'Key', {
        description: `Encrypts the VPC flow logs of ${this.node.path}`,
        allowCloudWatchLogs: true,
        administrators: props.flowLogKeyAdministrators,
        removalPolicy,
      });
    const logGroup = new logs.LogGroup(group, 'LogGroup', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: key,
      removalPolicy,
    });
    const role = new ServiceRole(group, 'Role', {
      description: 'Lets VPC Flow Logs deliver to the flow-log group',
      assumedBy: sameAccountServicePrincipal(this, 'vpc-flow-logs.amazonaws.com'),
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    new ec2.FlowLog(group, 'Resource', {
      resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
      destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup, role),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    return { key, logGroup };
  }

  /**
   * Network ACLs are stateless, so besides the service ports the tier must also admit
   * replies to its own outbound calls (ephemeral ports) and answer its clients on theirs.
   */
  private createDatabaseAcl(vpc: ec2.Vpc, props: NetworkProps, ports: number[]): ec2.NetworkAcl {
    const acl = new ec2.NetworkAcl(this, 'DatabaseAcl', { vpc, subnetSelection: this.databaseSubnets });
    const ingress = new Construct(acl, 'Ingress');
    const egress = new Construct(acl, 'Egress');
    const peers = [
      ...props.applicationSubnetCidrs.map((cidr, index) => ({ id: `Application${index}`, cidr, database: false })),
      ...props.databaseSubnetCidrs.map((cidr, index) => ({ id: `Database${index}`, cidr, database: true })),
    ];
    let ingressRule = 100;
    let egressRule = 100;
    for (const peer of peers) {
      const cidr = ec2.AclCidr.ipv4(peer.cidr);
      const peerIngress = new Construct(ingress, peer.id);
      const peerEgress = new Construct(egress, peer.id);
      const allow = (parent: Construct, id: string, traffic: ec2.AclTraffic, direction: ec2.TrafficDirection): void => {
        const ruleNumber = direction === ec2.TrafficDirection.INGRESS ? (ingressRule += 10) : (egressRule += 10);
        new ec2.NetworkAclEntry(parent, id, {
          networkAcl: acl,
          cidr,
          traffic,
          direction,
          ruleNumber,
          ruleAction: ec2.Action.ALLOW,
        });
      };
      for (const port of ports) {
        allow(peerIngress, `Port${port}`, ec2.AclTraffic.tcpPort(port), ec2.TrafficDirection.INGRESS);
      }
      allow(peerIngress, 'Return', EPHEMERAL_PORTS, ec2.TrafficDirection.INGRESS);
      allow(peerEgress, 'Reply', EPHEMERAL_PORTS, ec2.TrafficDirection.EGRESS);
      // HTTPS out reaches the interface endpoints (secrets, KMS) from the tier's own workloads.
      allow(peerEgress, `Port${HTTPS_PORT}`, ec2.AclTraffic.tcpPort(HTTPS_PORT), ec2.TrafficDirection.EGRESS);
      if (peer.database) {
        for (const port of ports) {
          allow(peerEgress, `Port${port}`, ec2.AclTraffic.tcpPort(port), ec2.TrafficDirection.EGRESS);
        }
      }
    }
    return acl;
  }
}

/**
 * Everything, for principals of this account only: a workload here cannot carry data out through
 * the endpoint with credentials of another account. What AWS does on our behalf through these
 * endpoints runs with our roles (the Fargate agent pulls images, writes logs and reads secrets as
 * the task execution role), so it stays allowed.
 */
function ownAccountOnly(actions: string[], resources: string[], resourceAccount = false): iam.PolicyStatement {
  const account = Aws.ACCOUNT_ID;
  return new iam.PolicyStatement({
    sid: resourceAccount ? 'OwnAccountPrincipalsOnOwnAccountResources' : 'OwnAccountPrincipals',
    principals: [new iam.AnyPrincipal()],
    actions,
    resources,
    conditions: {
      StringEquals: {
        'aws:PrincipalAccount': account,
        ...(resourceAccount ? { 'aws:ResourceAccount': account } : {}),
      },
    },
  });
}

/**
 * The S3 gateway endpoint carries the buckets of this account, for its principals, and ECR's image
 * layers, which live in an AWS-owned bucket and are fetched through a URL that ECR presigns (so
 * neither the principal nor the bucket is ours: "Minimum Amazon S3 bucket permissions for Amazon
 * ECR", ECR user guide, VPC endpoints), and the responses custom resources in the VPC send to
 * CloudFormation's AWS-owned response buckets. Nothing else in these tiers reaches AWS-owned
 * buckets: Lambda code, RDS and ElastiCache do not come through the VPC. A bucket of another
 * account, or ours with foreign credentials, is refused.
 */
function restrictS3Endpoint(endpoint: ec2.GatewayVpcEndpoint): void {
  const { region } = Stack.of(endpoint);
  endpoint.addToPolicy(ownAccountOnly(['s3:*'], ['*'], true));
  endpoint.addToPolicy(
    new iam.PolicyStatement({
      sid: 'EcrImageLayers',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::prod-${region}-starport-layer-bucket/*`],
    }),
  );
  // A custom resource's function in the VPC answers CloudFormation with a PUT to a presigned URL of
  // an AWS-owned bucket, which goes through this gateway: refused, the stack operation would hang
  // until CloudFormation's custom-resource timeout (an hour) and then fail.
  endpoint.addToPolicy(
    new iam.PolicyStatement({
      sid: 'CloudFormationResponses',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [
        `arn:${Aws.PARTITION}:s3:::cloudformation-custom-resource-response-*/*`,
        `arn:${Aws.PARTITION}:s3:::cloudformation-waitcondition-*/*`,
      ],
    }),
  );
}

function prefixOf(cidr: string | undefined): number | undefined {
  return cidr === undefined ? undefined : Number(cidr.split('/')[1]);
}

/** `com.amazonaws.eu-west-1.ecr.dkr` becomes `EcrDkr`: a stable, readable construct ID. */
function endpointId(service: ec2.InterfaceVpcEndpointAwsService): string {
  return service.shortName
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
