import { createHash } from 'node:crypto';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DatabaseBootstrap, type DatabaseBootstrapProps } from '../../constructs/data';
import { bootstrapStatements } from '../../constructs/data/lambda/bootstrap-sql';
import { testFixture, thrown } from '../support/test-stack';

function build(overrides: Partial<DatabaseBootstrapProps> = {}) {
  const f = testFixture();
  const instance = new rds.DatabaseInstance(f.stack, 'Primary', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
    vpc: f.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    port: 5432,
    storageEncryptionKey: f.key,
    credentials: rds.Credentials.fromGeneratedSecret('app_admin', { encryptionKey: f.key }),
  });
  const bootstrap = new DatabaseBootstrap(f.stack, 'Bootstrap', {
    vpc: f.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    databaseInstance: instance,
    masterSecret: instance.secret!,
    databaseName: 'app',
    logRetention: logs.RetentionDays.ONE_MONTH,
    logEncryptionKey: f.logKey,
    ...overrides,
  });
  return { ...f, instance, bootstrap, t: Template.fromStack(f.stack) };
}

const logicalId = (t: Template, type: string, props: Record<string, unknown>) => {
  const ids = Object.keys(t.findResources(type, { Properties: Match.objectLike(props) }));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe('DatabaseBootstrap', () => {
  test('the bootstrap function runs on nodejs24.x in the given subnets, behind its own security group', () => {
    const { t } = build();
    const sg = logicalId(t, 'AWS::EC2::SecurityGroup', {
      GroupDescription: 'Database bootstrap: the primary and Secrets Manager only',
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('application database roles'),
      Runtime: 'nodejs24.x',
      VpcConfig: {
        SecurityGroupIds: [{ 'Fn::GetAtt': [sg, 'GroupId'] }],
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^VpcAppSubnet') }]),
      },
      Environment: {
        Variables: Match.objectLike({
          MASTER_SECRET_ARN: { Ref: Match.stringLikeRegexp('^PrimarySecretAttachment') },
          // RDS's CAs, which Node.js 20+ runtimes no longer load by default: TLS is verified.
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        }),
      },
    });
  });

  test('egress is closed but for HTTPS and the database port to the primary, which lets it in', () => {
    const { t } = build();
    const sg = logicalId(t, 'AWS::EC2::SecurityGroup', {
      GroupDescription: 'Database bootstrap: the primary and Secrets Manager only',
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Database bootstrap: the primary and Secrets Manager only',
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'Secrets Manager API' },
      ],
    });
    const standalone = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes(sg));
    expect(standalone).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        DestinationSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^PrimarySecurityGroup/), 'GroupId'] },
      }),
    ]);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PrimarySecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] },
    });
  });

  test('only the bootstrap function may read the master secret (and decrypt it through Secrets Manager)', () => {
    const { t } = build();
    const policies = {
      ...t.findResources('AWS::IAM::ManagedPolicy'),
      ...t.findResources('AWS::IAM::Policy'),
    };
    const readers = Object.entries(policies).filter(([, policy]) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );
    expect(readers).toHaveLength(1);
    const [, reader] = readers[0]!;
    expect(reader.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^BootstrapRole[0-9A-F]{8}$/) }]);
    expect(reader.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: expect.stringMatching(/^PrimarySecretAttachment/) },
        }),
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        }),
      ]),
    );
  });

  test('both functions log to encrypted log groups with retention, and the provider runs in the VPC too', () => {
    const { t } = build();
    const groups = t.findResources('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogKey'), 'Arn'] }, RetentionInDays: 30 },
    });
    expect(Object.keys(groups).sort()).toEqual([
      expect.stringMatching(/^BootstrapLogs/),
      expect.stringMatching(/^BootstrapProviderLogs/),
    ]);
    for (const [group, description] of [
      ['BootstrapLogs', 'application database roles'],
      ['BootstrapProviderLogs', 'provider framework'],
    ]) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description!),
        LoggingConfig: Match.objectLike({ LogGroup: { Ref: Match.stringLikeRegexp(`^${group}`) } }),
        VpcConfig: Match.anyValue(),
      });
    }
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Database bootstrap provider'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })],
    });
  });

  test('the custom resource carries the spec and the digest of its statements, and waits for the network rules', () => {
    const { t, bootstrap } = build();
    const digest = createHash('sha256').update(bootstrapStatements(bootstrap.spec).join(';\n')).digest('hex');
    const resources = t.findResources('Custom::DatabaseBootstrap');
    const [resource] = Object.values(resources);
    expect(resource?.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^BootstrapProviderframeworkonEvent/), 'Arn'] },
      Spec: JSON.stringify({
        databaseName: 'app',
        schemaName: 'app',
        writerRole: 'app_writer',
        readerRole: 'app_reader',
        iamAuthentication: true,
      }),
      Host: { 'Fn::GetAtt': [expect.stringMatching(/^Primary/), 'Endpoint.Address'] },
      Port: { 'Fn::GetAtt': [expect.stringMatching(/^Primary/), 'Endpoint.Port'] },
      Digest: digest,
    });
    // Connecting before the rules exist would time out.
    expect(resource?.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^BootstrapSecurityGrouptoTestPrimarySecurityGroup/),
        expect.stringMatching(/^PrimarySecurityGroupfromTestBootstrapSecurityGroup/),
        expect.stringMatching(/^PrimarySecretAttachment/),
      ]),
    );
  });

  test('a changed grant changes the digest, so the resource is updated and runs again', () => {
    const digestOf = (overrides: Partial<DatabaseBootstrapProps>) =>
      Object.values(build(overrides).t.findResources('Custom::DatabaseBootstrap'))[0]?.Properties.Digest;
    const base = digestOf({});
    expect(digestOf({})).toBe(base);
    expect(digestOf({ iamAuthentication: false })).not.toBe(base);
    expect(digestOf({ readerRole: 'app_analytics' })).not.toBe(base);
  });

  test('invalid names fail at synthesis, all at once', () => {
    expect(thrown(() => build({ writerRole: 'app-writer;drop', schemaName: 'public' }))).toMatch(
      /Bootstrap: invalid database bootstrap:\n- writerRole "app-writer;drop" is not a plain identifier.*\n- schemaName "public" is a system schema/,
    );
  });
});
