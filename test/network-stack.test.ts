import { Match } from 'aws-cdk-lib/assertions';
import { environments } from '../config';
import { loadConfigs } from '../lib/config-loader';
import { ENVIRONMENTS, synthesized, template, templateJson } from './support/synth';

const configs = loadConfigs({ context: () => undefined, env: {} });

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

function resourcesOfType(environment: 'dev' | 'staging' | 'prod', type: string): Resources {
  const resources = templateJson(environment, 'Network').Resources as Resources;
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
}

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
    const actual = Object.values(resourcesOfType(environment, 'AWS::EC2::Subnet'))
      .map((s) => `${s.Properties?.AvailabilityZone} ${s.Properties?.CidrBlock}`)
      .sort();
    const expected = [...subnets.public, ...subnets.application, ...subnets.database]
      .map((cidr, i) => `${config.availabilityZones[i % 3]} ${cidr}`)
      .sort();
    expect(actual).toEqual(expected);
  });

  test('no subnet assigns public IPs', () => {
    for (const subnet of Object.values(resourcesOfType(environment, 'AWS::EC2::Subnet'))) {
      expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test(`NAT gateways: ${environments[environment].network.natGateways}`, () => {
    t.resourceCountIs('AWS::EC2::NatGateway', config.network.natGateways);
  });

  test('application subnets route to a NAT gateway, database subnets have no default route', () => {
    const routes = Object.entries(resourcesOfType(environment, 'AWS::EC2::Route'));
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

  test('stateful network resources follow the environment removal policy', () => {
    const policy = config.removalPolicy === 'retain' ? 'Retain' : 'Delete';
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: policy, UpdateReplacePolicy: policy });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: policy, UpdateReplacePolicy: policy });
  });

  describe('database tier network ACL', () => {
    const entries = Object.values(resourcesOfType(environment, 'AWS::EC2::NetworkAclEntry')).map(
      (e) => e.Properties ?? {},
    );
    const peers = [...subnets.application, ...subnets.database];

    test('is associated with exactly the three database subnets', () => {
      const associations = Object.values(resourcesOfType(environment, 'AWS::EC2::SubnetNetworkAclAssociation'));
      expect(associations.map((a) => a.Properties?.SubnetId.Ref).sort()).toEqual([
        expect.stringMatching(/^NetworkDatabaseSubnet1Subnet/),
        expect.stringMatching(/^NetworkDatabaseSubnet2Subnet/),
        expect.stringMatching(/^NetworkDatabaseSubnet3Subnet/),
      ]);
    });

    test('admits only the application and database tiers, on 5432, 6379 and return traffic', () => {
      const ingress = entries.filter((e) => e.Egress === false);
      expect(new Set(ingress.map((e) => e.CidrBlock))).toEqual(new Set(peers));
      expect(ingress.every((e) => e.RuleAction === 'allow' && e.Protocol === 6)).toBe(true);
      const ranges = new Set(ingress.map((e) => `${e.PortRange.From}-${e.PortRange.To}`));
      expect(ranges).toEqual(new Set(['5432-5432', '6379-6379', '1024-65535']));
      expect(ingress).toHaveLength(peers.length * 3);
    });

    test('sends only replies, HTTPS to endpoints, and database ports within the tier', () => {
      const egress = entries.filter((e) => e.Egress === true);
      expect(new Set(egress.map((e) => e.CidrBlock))).toEqual(new Set(peers));
      for (const entry of egress.filter((e) => subnets.application.includes(e.CidrBlock))) {
        expect(['443-443', '1024-65535']).toContain(`${entry.PortRange.From}-${entry.PortRange.To}`);
      }
      expect(egress).toHaveLength(subnets.application.length * 2 + subnets.database.length * 4);
    });

    test('has no rule for the internet and stays within the default quota of 20 rules per direction', () => {
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

  test('interface endpoints exactly as configured, private DNS, in the application tier', () => {
    const endpoints = Object.values(resourcesOfType(environment, 'AWS::EC2::VPCEndpoint')).filter(
      (e) => e.Properties?.VpcEndpointType === 'Interface',
    );
    expect(endpoints.map((e) => e.Properties?.ServiceName).sort()).toEqual(
      config.network.interfaceEndpoints.map((name) => `com.amazonaws.${config.region}.${name}`).sort(),
    );
    for (const endpoint of endpoints) {
      expect(endpoint.Properties?.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties?.SubnetIds).toEqual([
        { Ref: expect.stringMatching(/^NetworkApplicationSubnet1Subnet/) },
        { Ref: expect.stringMatching(/^NetworkApplicationSubnet2Subnet/) },
        { Ref: expect.stringMatching(/^NetworkApplicationSubnet3Subnet/) },
      ]);
    }
    if (endpoints.length > 0) {
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [{ CidrIp: config.network.vpcCidr, FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }],
      });
    }
  });

  test('every taggable resource carries the cost-allocation tags and ManagedBy', () => {
    const expected = { ...config.tags, ManagedBy: 'aws-cdk' };
    const resources = templateJson(environment, 'Network').Resources as Resources;
    const tagged = Object.entries(resources).filter(([, r]) => Array.isArray(r.Properties?.Tags));
    expect(tagged.length).toBeGreaterThan(20);
    for (const [id, resource] of tagged) {
      const tags = Object.fromEntries(
        (resource.Properties?.Tags as Array<{ Key: string; Value: string }>).map((tag) => [tag.Key, tag.Value]),
      );
      expect({ id, tags: expect.objectContaining(expected) }).toEqual({ id, tags });
    }
    // Types that support tags must have them, not just those that happen to.
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::EC2::Subnet',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::EC2::NatGateway',
    ]) {
      for (const [id, resource] of Object.entries(resources).filter(([, r]) => r.Type === type)) {
        expect({ id, hasTags: Array.isArray(resource.Properties?.Tags) }).toEqual({ id, hasTags: true });
      }
    }
  });
});
