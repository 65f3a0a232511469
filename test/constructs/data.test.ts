import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CacheEngine, SecureBucket, type CacheClusterProps, type PostgresDatabaseProps } from '../../constructs/data';
import { ValidationError } from '../../constructs/shared';
import { testCache, testDatabase } from '../support/builders';
import { testFixture } from '../support/test-stack';

describe('PostgresDatabase', () => {
  test('secure defaults: Multi-AZ, protected, final snapshot, 7 days of backups, monitoring', () => {
    const { stack } = testDatabase();
    const t = Template.fromStack(stack);
    t.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({
        MultiAZ: true,
        DeletionProtection: true,
        BackupRetentionPeriod: 7,
        MonitoringInterval: 60,
        EnablePerformanceInsights: true,
        PubliclyAccessible: false,
      }),
    });
    t.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true });
    t.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'CNAME' }, 1);
  });

  test('the enhanced-monitoring role trusts RDS monitoring of its own account only (confused deputy)', () => {
    const { stack } = testDatabase();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'monitoring.rds.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
  });

  test('allowFrom opens the proxy and the replicas, never the primary', () => {
    const { stack, db, client } = testDatabase({ readReplicas: 2 });
    db.allowFrom(client);
    const t = Template.fromStack(stack);
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    const fromClient = ingress.filter((i) => JSON.stringify(i.SourceSecurityGroupId).includes('Client'));
    expect(fromClient.map((i) => i.GroupId['Fn::GetAtt'][0]).sort()).toEqual([
      expect.stringMatching(/^DbSecurityGroupsProxy/),
      expect.stringMatching(/^DbSecurityGroupsReplicas/),
    ]);
    expect(fromClient.every((i) => i.FromPort === 5432 && i.ToPort === 5432)).toBe(true);
    // One record per replica, and the zero-weight fallback to the proxy.
    t.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'CNAME' }, 3);
  });

  test('grants: the master credentials to administrators, IAM connect as the application users', () => {
    const { stack, db } = testDatabase();
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const app = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    db.grantReadMasterCredentials(admin);
    db.grantConnectAsWriter(app);
    db.grantConnectAsReader(app);
    const t = Template.fromStack(stack);
    const statementsOf = (role: string) =>
      Object.values(t.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>);
    expect(statementsOf('Admin').map((st) => st.Action)).toContainEqual([
      'secretsmanager:GetSecretValue',
      'secretsmanager:DescribeSecret',
    ]);
    const appActions = statementsOf('App').flatMap((st) => [st.Action].flat());
    expect(new Set(appActions)).toEqual(new Set(['rds-db:connect']));
    expect(JSON.stringify(statementsOf('App'))).toContain('/app_writer');
    expect(JSON.stringify(statementsOf('App'))).toContain('/app_reader');
    expect(db.port).toBe(5432);
    expect(db.readerEndpoint).toBe('reader.database.internal');
  });

  const invalid: Array<[string, Partial<PostgresDatabaseProps>, RegExp]> = [
    [
      'replicas on a single-AZ primary',
      { multiAz: false, readReplicas: 1 },
      /readReplicas: 1 read replica\(s\) in a single-AZ setup: enable multiAz first/,
    ],
    [
      'more replicas than other AZs',
      { readReplicas: 3 },
      /readReplicas: 3 read replicas need an AZ each besides the first of 3 AZs; use at most 2/,
    ],
    ['a negative replica count', { readReplicas: -1 }, /readReplicas: -1 is not a replica count/],
    [
      'backups off',
      { backupRetentionDays: 0 },
      /backupRetentionDays: 0 days is not a retention RDS keeps: use 1 to 35/,
    ],
    [
      'a monitoring interval RDS rejects',
      { monitoringIntervalSeconds: 20 },
      /monitoringIntervalSeconds: 20 is not an interval RDS accepts; use one of 0, 1, 5, 10, 15, 30, 60/,
    ],
    [
      'storage that cannot grow',
      { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 },
      /maxAllocatedStorageGiB: 100 GiB must exceed allocatedStorageGiB \(100\)/,
    ],
    [
      'an identifier RDS rejects',
      { identifierPrefix: 'Test_App' },
      /identifierPrefix: "Test_App" must start with a letter/,
    ],
  ];
  test.each(invalid)('rejects %s', (_label, overrides, message) => {
    expect(() => testDatabase(overrides)).toThrow(ValidationError);
    expect(() => testDatabase(overrides)).toThrow(message);
  });
});

describe('CacheCluster', () => {
  test('secure defaults: TLS required, encrypted, RBAC, Multi-AZ with a replica, snapshots', () => {
    const { stack } = testCache();
    Template.fromStack(stack).hasResource('AWS::ElastiCache::ReplicationGroup', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({
        TransitEncryptionMode: 'required',
        AtRestEncryptionEnabled: true,
        MultiAZEnabled: true,
        AutomaticFailoverEnabled: true,
        ReplicasPerNodeGroup: 1,
        SnapshotRetentionLimit: 7,
        ClusterMode: 'disabled',
      }),
    });
  });

  test('cluster mode exposes the configuration endpoint; Valkey users use the valkey engine', () => {
    const { stack, cache: c } = testCache({
      clusterMode: true,
      shards: 3,
      engine: CacheEngine.VALKEY,
      engineVersion: '8.0',
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ClusterMode: 'enabled',
      NumNodeGroups: 3,
      Engine: 'valkey',
    });
    t.allResourcesProperties('AWS::ElastiCache::User', { Engine: 'valkey' });
    expect(stack.resolve(c.endpoint)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Cache/), 'ConfigurationEndPoint.Address'],
    });
  });

  test('allowFrom admits a security group on 6379; removal DESTROY deletes everything', () => {
    const { stack, cache: c, client } = testCache({ removalPolicy: RemovalPolicy.DESTROY });
    c.allowFrom(client);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 6379,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Client'), 'GroupId'] },
    });
    t.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Delete' });
    // The application user authenticates with IAM: no password secret at all (Redis OSS).
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  const invalid: Array<[string, Partial<CacheClusterProps>, RegExp]> = [
    [
      'Multi-AZ without replicas',
      { replicasPerShard: 0 },
      /replicasPerShard: multiAz needs at least one replica per shard/,
    ],
    ['shards without cluster mode', { shards: 2 }, /shards: 2 shards need clusterMode: true/],
    [
      'too many replicas',
      { replicasPerShard: 6 },
      /replicasPerShard: 6 replicas per shard; ElastiCache allows .* 0 to 5/,
    ],
    [
      'an identifier ElastiCache rejects',
      { replicationGroupId: 'Bad_Name' },
      /replicationGroupId: "Bad_Name" must start with a letter/,
    ],
    ['consecutive hyphens', { replicationGroupId: 'bad--name' }, /replicationGroupId: "bad--name"/],
    [
      'snapshots kept too long',
      { snapshotRetentionDays: 40 },
      /snapshotRetentionDays: 40 days is not a retention ElastiCache keeps: use 0 to 35/,
    ],
  ];
  test.each(invalid)('rejects %s', (_label, overrides, message) => {
    expect(() => testCache(overrides)).toThrow(ValidationError);
    expect(() => testCache(overrides)).toThrow(message);
  });
});

describe('SecureBucket', () => {
  const withFlag = { [cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY]: true };

  test('defaults: private, TLS only, versioned, SSE-S3, retained', () => {
    const { stack } = testFixture();
    new SecureBucket(stack, 'Bucket');
    const t = Template.fromStack(stack);
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('access logs go to the target through a bucket policy', () => {
    const { stack } = testFixture({ context: withFlag });
    const logs = new SecureBucket(stack, 'Logs');
    new SecureBucket(stack, 'Data', { serverAccessLogsBucket: logs });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' } })]),
      },
    });
  });

  test('explains the feature flag it needs for access logs', () => {
    const { stack } = testFixture();
    const logs = new SecureBucket(stack, 'Logs');
    expect(() => new SecureBucket(stack, 'Data', { serverAccessLogsBucket: logs })).toThrow(
      /enable the feature flag "@aws-cdk\/aws-s3:serverAccessLogsUseBucketPolicy"/,
    );
  });

  test('rejects a lifecycle S3 cannot run', () => {
    const { stack } = testFixture();
    expect(() => new SecureBucket(stack, 'A', { transitionToInfrequentAccessDays: 10 })).toThrow(
      /^Test\/A: transitionToInfrequentAccessDays: 10 days: S3 Standard-IA accepts objects 30 days or older/,
    );
    expect(() => new SecureBucket(stack, 'B', { transitionToInfrequentAccessDays: 60, expirationDays: 30 })).toThrow(
      /expirationDays: 30 days must exceed the 60 days after which objects move to Standard-IA/,
    );
  });
});
