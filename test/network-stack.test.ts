import { Match } from 'aws-cdk-lib/assertions';
import { environments } from '../config';
import { committedConfigs, environmentsWhere } from './support/config';
import { ENVIRONMENTS, resources, synthesized, template } from './support/synth';

const configs = committedConfigs();

// Which branch each environment's committed config takes. The first tests pin these tables to config,
// so moving an environment to another branch fails there instead of silently testing the other one.

/** `interfaceEndpoints` is not empty. */
const HAS_INTERFACE_ENDPOINTS = { dev: false, staging: true, prod: true } as const;
/** `removalPolicy` is 'retain'. */
const RETAINS_STATE = { dev: false, staging: true, prod: true } as const;

/**
 * Resources that carry tags: the VPC, 9 subnets and their 9 route tables, the internet gateway, the
 * flow-log key, group, role and flow log, the database ACL and the S3 gateway endpoint (26); an EIP and
 * a gateway per NAT gateway; each interface endpoint and, with any, their security group.
 */
// 27: the VPC's resources, its flow logs and the default-security-group function's log group.
const TAGGED_RESOURCES = { dev: 27 + 2 * 1, staging: 27 + 2 * 3 + 9 + 1, prod: 27 + 2 * 3 + 9 + 1 } as const;

describe.each(ENVIRONMENTS)('%s network stack: committed config', (environment) => {
  test('takes the branches the tables of this file expect', () => {
    const config = configs[environment];
    expect({
      interfaceEndpoints: config.network.interfaceEndpoints.length > 0,
      retainsState: config.removalPolicy === 'retain',
    }).toEqual({
      interfaceEndpoints: HAS_INTERFACE_ENDPOINTS[environment],
      retainsState: RETAINS_STATE[environment],
    });
  });
});

describe.each(ENVIRONMENTS)('%s network stack', (environment) => {
  const config = configs[environment];
  const { subnets } = config.network;
  const t = template(environment, 'Network');

  test('is bound to the configured account and region, with a stage-scoped name', () => {
    const stack = synthesized().stacks.find((s) => s.environment === environment && s.stackId === 'Network');
    expect(stack).toMatchObject({
      account: config.account,
      region: config.region,
      stackName: `${environment.charAt(0).toUpperCase()}${environment.slice(1)}-Network`,
      terminationProtection: environment !== 'dev',
    });
  });

  test('the VPC has exactly the configured CIDR, with DNS', () => {
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: config.network.vpcCidr,
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
    });
  });

  test('nine subnets: each tier has one subnet per AZ with the configured CIDR', () => {
    const actual = resources(environment, 'Network', 'AWS::EC2::Subnet')
      .map(([, s]) => `${s.Properties?.AvailabilityZone} ${s.Properties?.CidrBlock}`)
      .sort();
    const expected = [...subnets.public, ...subnets.application, ...subnets.database]
      .map((cidr, i) => `${config.availabilityZones[i % 3]} ${cidr}`)
      .sort();
    expect(actual).toEqual(expected);
  });

  test('no subnet assigns public IPs', () => {
    const all = resources(environment, 'Network', 'AWS::EC2::Subnet');
    expect(all).toHaveLength(3 * config.availabilityZones.length);
    for (const [, subnet] of all) {
      expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test(`NAT gateways: ${environments[environment].network.natGateways}`, () => {
    t.resourceCountIs('AWS::EC2::NatGateway', config.network.natGateways);
  });

  test('application subnets route to a NAT gateway, database subnets have no default route', () => {
    const routes = resources(environment, 'Network', 'AWS::EC2::Route');
    const defaultRoutes = routes.filter(([, r]) => r.Properties?.DestinationCidrBlock === '0.0.0.0/0');
    const byTier = (tier: string) => defaultRoutes.filter(([id]) => id.startsWith(`Network${tier}Subnet`));
    expect(byTier('Public')).toHaveLength(3);
    expect(byTier('Application')).toHaveLength(3);
    for (const [, route] of byTier('Application')) {
      expect(route.Properties).toHaveProperty('NatGatewayId');
    }
    expect(byTier('Database')).toHaveLength(0);
  });

  test('flow logs capture all traffic into a KMS-encrypted group with the configured retention', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('^NetworkFlowLogsLogGroup') },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogsKey'), 'Arn'] },
      RetentionInDays: config.network.flowLogRetentionDays,
    });
  });

  test("the flow-log key rotates, admits only this account's log groups and limits grants to AWS services", () => {
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'kms:CreateGrant',
            Condition: {
              BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
            },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: `logs.${config.region}.amazonaws.com` },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${config.region}:${config.account}:log-group:*`,
              },
            },
          }),
        ]),
      },
    });
  });

  describe('database tier network ACL', () => {
    const entries = resources(environment, 'Network', 'AWS::EC2::NetworkAclEntry').map(([, e]) => e.Properties ?? {});
    const peers = [...subnets.application, ...subnets.database];
    /** From each application and database subnet: 5432, 6379 and replies. */
    const ingressEntries = peers.length * 3;
    /** To each application subnet: replies and HTTPS; to each database subnet also 5432 and 6379. */
    const egressEntries = subnets.application.length * 2 + subnets.database.length * 4;

    test('is associated with exactly the three database subnets', () => {
      const associations = resources(environment, 'Network', 'AWS::EC2::SubnetNetworkAclAssociation');
      expect(associations.map(([, a]) => a.Properties?.SubnetId.Ref).sort()).toEqual([
        expect.stringMatching(/^NetworkDatabaseSubnet1Subnet/),
        expect.stringMatching(/^NetworkDatabaseSubnet2Subnet/),
        expect.stringMatching(/^NetworkDatabaseSubnet3Subnet/),
      ]);
    });

    test('admits only the application and database tiers, on 5432, 6379 and return traffic', () => {
      const ingress = entries.filter((e) => e.Egress === false);
      expect(ingress).toHaveLength(ingressEntries);
      expect(new Set(ingress.map((e) => e.CidrBlock))).toEqual(new Set(peers));
      expect(ingress.every((e) => e.RuleAction === 'allow' && e.Protocol === 6)).toBe(true);
      const ranges = new Set(ingress.map((e) => `${e.PortRange.From}-${e.PortRange.To}`));
      expect(ranges).toEqual(new Set(['5432-5432', '6379-6379', '1024-65535']));
    });

    test('sends only replies, HTTPS to endpoints, and database ports within the tier', () => {
      const egress = entries.filter((e) => e.Egress === true);
      expect(egress).toHaveLength(egressEntries);
      expect(new Set(egress.map((e) => e.CidrBlock))).toEqual(new Set(peers));
      const toApplication = egress.filter((e) => subnets.application.includes(e.CidrBlock));
      expect(toApplication).toHaveLength(subnets.application.length * 2);
      for (const entry of toApplication) {
        expect(['443-443', '1024-65535']).toContain(`${entry.PortRange.From}-${entry.PortRange.To}`);
      }
    });

    test('has no rule for the internet and stays within the default quota of 20 rules per direction', () => {
      expect(entries).toHaveLength(ingressEntries + egressEntries);
      expect(entries.some((e) => e.CidrBlock === '0.0.0.0/0' || e.Ipv6CidrBlock !== undefined)).toBe(false);
      expect(entries.filter((e) => e.Egress === false).length).toBeLessThanOrEqual(20);
      expect(entries.filter((e) => e.Egress === true).length).toBeLessThanOrEqual(20);
      expect(new Set(entries.map((e) => `${e.Egress}:${e.RuleNumber}`)).size).toBe(entries.length);
    });
  });

  test('the default security group is stripped of its rules', () => {
    t.hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Network'), 'DefaultSecurityGroup'] },
    });
  });

  test('an S3 gateway endpoint serves the application and database tiers', () => {
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.s3'])] }),
      RouteTableIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^NetworkDatabaseSubnet1RouteTable') }]),
    });
  });

  test("the S3 gateway admits this account's principals on its buckets, ECR's image layers and CloudFormation's responses", () => {
    const [gateway] = resources(environment, 'Network', 'AWS::EC2::VPCEndpoint')
      .map(([, e]) => e)
      .filter((e) => e.Properties?.VpcEndpointType === 'Gateway');
    const statements = gateway?.Properties?.PolicyDocument.Statement as Array<Record<string, unknown>>;
    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatchObject({
      Action: 's3:*',
      Condition: {
        StringEquals: {
          'aws:PrincipalAccount': { Ref: 'AWS::AccountId' },
          'aws:ResourceAccount': { Ref: 'AWS::AccountId' },
        },
      },
    });
    expect(statements[1]).toMatchObject({ Action: 's3:GetObject', Principal: { AWS: '*' } });
    expect(JSON.stringify(statements[1]?.Resource)).toContain(`:s3:::prod-${config.region}-starport-layer-bucket/*`);
    // Custom resources in the VPC (bootstrap, listener rules) answer CloudFormation through it.
    expect(statements[2]).toMatchObject({ Sid: 'CloudFormationResponses', Action: 's3:PutObject' });
    expect(JSON.stringify(statements[2]?.Resource)).toContain(':s3:::cloudformation-custom-resource-response-*/*');
  });

  test('interface endpoints exactly as configured, private DNS, in the application tier', () => {
    const endpoints = resources(environment, 'Network', 'AWS::EC2::VPCEndpoint')
      .map(([, e]) => e)
      .filter((e) => e.Properties?.VpcEndpointType === 'Interface');
    expect(endpoints).toHaveLength(config.network.interfaceEndpoints.length);
    expect(endpoints.map((e) => e.Properties?.ServiceName).sort()).toEqual(
      config.network.interfaceEndpoints.map((name) => `com.amazonaws.${config.region}.${name}`).sort(),
    );
    for (const endpoint of endpoints) {
      expect(endpoint.Properties?.PrivateDnsEnabled).toBe(true);
      // Principals of this account only; every configured service must support endpoint policies.
      expect(endpoint.Properties?.PolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Principal: { AWS: '*' },
          Action: '*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
        }),
      ]);
      expect(endpoint.Properties?.SubnetIds).toEqual([
        { Ref: expect.stringMatching(/^NetworkApplicationSubnet1Subnet/) },
        { Ref: expect.stringMatching(/^NetworkApplicationSubnet2Subnet/) },
        { Ref: expect.stringMatching(/^NetworkApplicationSubnet3Subnet/) },
      ]);
    }
  });

  test('every taggable resource carries the cost-allocation tags and ManagedBy', () => {
    const expected = { ...config.tags, ManagedBy: 'aws-cdk' };
    const all = resources(environment, 'Network');
    const tagged = all.filter(([, r]) => Array.isArray(r.Properties?.Tags));
    expect(tagged).toHaveLength(TAGGED_RESOURCES[environment]);
    for (const [id, resource] of tagged) {
      const tags = Object.fromEntries(
        (resource.Properties?.Tags as Array<{ Key: string; Value: string }>).map((tag) => [tag.Key, tag.Value]),
      );
      expect({ id, tags: expect.objectContaining(expected) }).toEqual({ id, tags });
    }
    // Types that support tags must have them, not just those that happen to.
    const mustBeTagged: Array<[string, number]> = [
      ['AWS::EC2::VPC', 1],
      ['AWS::EC2::Subnet', 3 * config.availabilityZones.length],
      ['AWS::KMS::Key', 1],
      ['AWS::Logs::LogGroup', 2],
      ['AWS::EC2::NatGateway', config.network.natGateways],
    ];
    for (const [type, count] of mustBeTagged) {
      const ofType = all.filter(([, r]) => r.Type === type);
      expect({ type, count: ofType.length }).toEqual({ type, count });
      for (const [id, resource] of ofType) {
        expect({ id, hasTags: Array.isArray(resource.Properties?.Tags) }).toEqual({ id, hasTags: true });
      }
    }
  });
});

describe.each(environmentsWhere(HAS_INTERFACE_ENDPOINTS, true))(
  '%s network stack, with interface endpoints',
  (environment) => {
    test('their security group admits HTTPS from the VPC', () => {
      template(environment, 'Network').hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [
          { CidrIp: configs[environment].network.vpcCidr, FromPort: 443, ToPort: 443, IpProtocol: 'tcp' },
        ],
      });
    });
  },
);

describe.each(environmentsWhere(HAS_INTERFACE_ENDPOINTS, false))(
  '%s network stack, without interface endpoints',
  (environment) => {
    test('no endpoint security group', () => {
      template(environment, 'Network').resourceCountIs('AWS::EC2::SecurityGroup', 0);
    });
  },
);

describe.each(environmentsWhere(RETAINS_STATE, true))('%s network stack, retaining state', (environment) => {
  test('stateful network resources are retained when the stack goes or replaces them', () => {
    const t = template(environment, 'Network');
    // Kept on update and delete; removed only if the stack's first create rolls back, so a retry
    // does not collide with a retained leftover.
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });
});

describe.each(environmentsWhere(RETAINS_STATE, false))('%s network stack, destroyed freely', (environment) => {
  test('stateful network resources are deleted with the stack', () => {
    const t = template(environment, 'Network');
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });
});
