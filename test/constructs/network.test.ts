import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Network, type NetworkProps } from '../../constructs/network';
import { ValidationError } from '../../constructs/shared';
import { TEST_AZS, testStack, thrown } from '../support/test-stack';

function baseProps(): NetworkProps {
  return {
    vpcCidr: '10.50.0.0/16',
    availabilityZones: [...TEST_AZS],
    publicSubnetCidrs: ['10.50.0.0/24', '10.50.1.0/24', '10.50.2.0/24'],
    applicationSubnetCidrs: ['10.50.16.0/20', '10.50.32.0/20', '10.50.48.0/20'],
    databaseSubnetCidrs: ['10.50.64.0/24', '10.50.65.0/24', '10.50.66.0/24'],
  };
}

function build(overrides: Partial<NetworkProps> = {}): { stack: Stack; network: Network } {
  const stack = testStack();
  const network = new Network(stack, 'Network', { ...baseProps(), ...overrides });
  return { stack, network };
}

describe('Network construct', () => {
  test('defaults: one NAT per AZ, flow logs kept a year, stateful resources retained, no interface endpoints', () => {
    const { stack, network } = build();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::NatGateway', 3);
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    expect(network.endpointSecurityGroup).toBeUndefined();
    // Subnets of any size work: the CIDRs are used as given.
    t.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.50.32.0/20', AvailabilityZone: 'eu-west-1b' });
  });

  test('exposes per-tier subnet selections that resolve to the right subnets', () => {
    const { network } = build();
    const cidrs = (selection: ec2.SubnetSelection) =>
      network.vpc.selectSubnets(selection).subnets.map((s) => s.ipv4CidrBlock);
    expect(cidrs(network.publicSubnets)).toEqual(baseProps().publicSubnetCidrs);
    expect(cidrs(network.applicationSubnets)).toEqual(baseProps().applicationSubnetCidrs);
    expect(cidrs(network.databaseSubnets)).toEqual(baseProps().databaseSubnetCidrs);
    expect(network.vpc.selectSubnets(network.databaseSubnets).subnets).toEqual(network.vpc.isolatedSubnets);
  });

  test('a key passed in is used instead of a new one', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'SharedKey');
    const network = new Network(stack, 'Network', { ...baseProps(), flowLogEncryptionKey: key });
    expect(network.flowLogKey).toBe(key);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
  });

  test('the flow-log key is administered by the given principals, and by nobody else of the account', () => {
    const { stack } = build({
      flowLogKeyAdministrators: [new iam.ArnPrincipal('arn:aws:iam::123456789012:role/Admin')],
    });
    const [key] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    const statements = key.Properties.KeyPolicy.Statement as Array<{ Action: string | string[]; Principal: unknown }>;
    const administering = statements.filter((statement) =>
      [statement.Action].flat().some((action) => ['kms:ScheduleKeyDeletion', 'kms:*'].includes(action)),
    );
    expect(JSON.stringify(administering.map((statement) => statement.Principal))).toContain(
      'arn:aws:iam::123456789012:role/Admin',
    );
    expect(JSON.stringify(administering)).not.toContain('"kms:*"');
  });

  test('custom database ports shape the ACL', () => {
    const { stack } = build({ databaseTierPorts: [3306], removalPolicy: RemovalPolicy.DESTROY });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::NetworkAclEntry', { PortRange: { From: 3306, To: 3306 }, Egress: false });
    t.resourcePropertiesCountIs('AWS::EC2::NetworkAclEntry', { PortRange: { From: 5432, To: 5432 } }, 0);
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('interface endpoints share one security group open on 443 to the VPC only', () => {
    const { stack, network } = build({
      interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.ECR, ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
    });
    const t = Template.fromStack(stack);
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 2);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.50.0.0/16', FromPort: 443 })],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    expect(network.endpointSecurityGroup).toBeDefined();
  });

  describe('rejects props that cannot work, naming the value and the fix', () => {
    const cases: Array<[string, Partial<NetworkProps>, RegExp]> = [
      ['a single AZ', { availabilityZones: ['eu-west-1a'] }, /availabilityZones: 1 zone\(s\); give at least 2/],
      [
        'overlapping subnets',
        { databaseSubnetCidrs: ['10.50.64.0/24', '10.50.65.0/24', '10.50.1.0/24'] },
        /databaseSubnetCidrs\[2\]: "10\.50\.1\.0\/24" overlaps publicSubnetCidrs\[1\]/,
      ],
      [
        'a subnet outside the VPC',
        { publicSubnetCidrs: ['10.50.0.0/24', '10.50.1.0/24', '10.51.2.0/24'] },
        /publicSubnetCidrs\[2\]: "10\.51\.2\.0\/24" lies outside the VPC 10\.50\.0\.0\/16/,
      ],
      [
        'a tier missing a subnet',
        { applicationSubnetCidrs: ['10.50.16.0/20', '10.50.32.0/20'] },
        /applicationSubnetCidrs: 2 subnets for 3 availability zones/,
      ],
      [
        'no NAT gateway',
        { natGateways: 0 },
        /natGateways: 0 NAT gateways for 3 availability zones; the application tier needs egress, so use a whole number from 1 \(cheap\) to 3/,
      ],
      ['too many NAT gateways', { natGateways: 5 }, /natGateways: 5 NAT gateways for 3/],
      ['half a NAT gateway', { natGateways: 1.5 }, /natGateways: 1\.5 NAT gateways for 3/],
      ['an invalid port', { databaseTierPorts: [70000] }, /databaseTierPorts: \[70000\] must list TCP ports/],
      [
        'more ports than the ACL quota allows',
        { databaseTierPorts: [5432, 6379, 11211, 3306] },
        /need 30 network ACL rules per direction, above the default quota of 20/,
      ],
    ];
    test.each(cases)('%s', (_label, overrides, message) => {
      expect(() => build(overrides)).toThrow(ValidationError);
      expect(() => build(overrides)).toThrow(message);
    });

    test('the message starts with the construct path', () => {
      expect(() => build({ natGateways: 0 })).toThrow(/^Test\/Network: /);
    });

    test('every problem at once, each at its prop', () => {
      const message = thrown(() =>
        build({
          publicSubnetCidrs: ['10.50.0.0/24', '10.50.1.0/24', '10.51.2.0/24'],
          natGateways: 4,
          databaseTierPorts: [0],
        }),
      );
      expect(message).toMatch(/^Test\/Network: 3 invalid props:\n/);
      expect(message.split('\n').slice(1)).toEqual([
        '  publicSubnetCidrs[2]: "10.51.2.0/24" lies outside the VPC 10.50.0.0/16',
        expect.stringMatching(/^ {2}natGateways: 4 NAT gateways/),
        expect.stringMatching(/^ {2}databaseTierPorts: \[0\] must list TCP ports/),
      ]);
    });
  });
});

describe('Network endpoints', () => {
  const ECR = [ec2.InterfaceVpcEndpointAwsService.ECR, ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER];
  const ownAccount = { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } };

  test('every interface endpoint admits every action, for principals of this account only', () => {
    const { stack } = build({
      interfaceEndpoints: [
        ...ECR,
        ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
        ec2.InterfaceVpcEndpointAwsService.XRAY,
      ],
    });
    const endpoints = Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint')).filter(
      (endpoint) => endpoint.Properties.VpcEndpointType === 'Interface',
    );
    expect(endpoints).toHaveLength(4);
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PolicyDocument.Statement).toEqual([
        {
          Sid: 'OwnAccountPrincipals',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: '*',
          Resource: '*',
          Condition: { StringEquals: ownAccount },
        },
      ]);
    }
  });

  test("the S3 gateway carries this account's buckets for its principals, ECR's image layers and CloudFormation responses", () => {
    const { stack } = build();
    const [gateway] = Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint'));
    expect(gateway?.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'OwnAccountPrincipalsOnOwnAccountResources',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { ...ownAccount, 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } },
      },
      {
        // ECR presigns the layer URL: neither the principal nor the bucket is this account's.
        Sid: 'EcrImageLayers',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:GetObject',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-eu-west-1-starport-layer-bucket/*']],
        },
      },
      {
        // Custom resources in the VPC answer CloudFormation through presigned URLs of AWS-owned
        // buckets: refused, every such stack operation would hang for an hour, then fail.
        Sid: 'CloudFormationResponses',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Resource: [
          {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::cloudformation-custom-resource-response-*/*']],
          },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::cloudformation-waitcondition-*/*']] },
        ],
      },
    ]);
  });

  describe('privateAwsApiPeers', () => {
    const complete = {
      interfaceEndpoints: [...ECR, ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
      s3PrefixListId: 'pl-6da54004',
    };

    test('are the endpoint security group and the S3 prefix list when every service has an endpoint', () => {
      const { stack, network } = build(complete);
      const peers = network.privateAwsApiPeers(['ecr.api', 'ecr.dkr', 'logs']);
      expect(peers).toHaveLength(2);
      const group = new ec2.SecurityGroup(stack, 'Workload', { vpc: network.vpc, allowAllOutbound: false });
      for (const peer of peers ?? []) {
        group.addEgressRule(peer, ec2.Port.tcp(443));
      }
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        DestinationPrefixListId: 'pl-6da54004',
        FromPort: 443,
      });
      t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        DestinationSecurityGroupId: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkEndpointsSecurityGroup'), 'GroupId'],
        },
        FromPort: 443,
      });
      expect(network.interfaceEndpointServices).toEqual(['ecr.api', 'ecr.dkr', 'logs']);
    });

    test.each<[string, Partial<NetworkProps>, string[]]>([
      ['no interface endpoints', { s3PrefixListId: 'pl-6da54004' }, ['logs']],
      ['a service without an endpoint', complete, ['logs', 'ssmmessages']],
      ['an unknown S3 prefix list', { interfaceEndpoints: complete.interfaceEndpoints }, ['logs']],
    ])('are undefined with %s: NAT is the only way', (_label, props, services) => {
      expect(build(props).network.privateAwsApiPeers(services)).toBeUndefined();
    });
  });
});
