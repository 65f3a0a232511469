import { Match } from 'aws-cdk-lib/assertions';
import { loadConfigs } from '../lib/config-loader';
import { ENVIRONMENTS, synthesized, template, templateJson } from './support/synth';
import { deletedWithStack } from './support/stateful';

const configs = loadConfigs({ context: () => undefined, env: {} });

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string };

function resources(environment: 'dev' | 'staging' | 'prod', type?: string): Array<[string, Resource]> {
  const all = Object.entries(templateJson(environment, 'Data').Resources as Record<string, Resource>);
  return type === undefined ? all : all.filter(([, r]) => r.Type === type);
}

const keyRef = (domain: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^Keys${domain}`), 'Arn'] });

describe.each(ENVIRONMENTS)('%s data stack', (environment) => {
  const config = configs[environment];
  const t = template(environment, 'Data');
  const protectedEnv = config.removalPolicy === 'retain';
  const instances = resources(environment, 'AWS::RDS::DBInstance');
  const primary = instances.find(([, r]) => r.Properties?.SourceDBInstanceIdentifier === undefined);
  const replicas = instances.filter(([, r]) => r.Properties?.SourceDBInstanceIdentifier !== undefined);

  describe('PostgreSQL', () => {
    test(`one primary (Multi-AZ: ${config.database.multiAz}) and ${config.database.readReplicas} replica(s) in distinct AZs`, () => {
      expect(primary).toBeDefined();
      expect(primary?.[1].Properties?.MultiAZ).toBe(config.database.multiAz);
      expect(replicas).toHaveLength(config.database.readReplicas);
      const azs = replicas.map(([, r]) => r.Properties?.AvailabilityZone);
      expect(new Set(azs).size).toBe(replicas.length);
      expect(azs).not.toContain(config.availabilityZones[0]);
    });

    test('current engine with a full version, Graviton class, gp3 with storage autoscaling', () => {
      expect(primary?.[1].Properties).toMatchObject({
        Engine: 'postgres',
        EngineVersion: config.database.engineVersion,
        DBInstanceClass: `db.${config.database.instanceClass}`,
        StorageType: 'gp3',
        AllocatedStorage: String(config.database.allocatedStorageGiB),
        MaxAllocatedStorage: config.database.maxAllocatedStorageGiB,
        AutoMinorVersionUpgrade: true,
        EnableIAMDatabaseAuthentication: true,
      });
    });

    test('storage, Performance Insights and credentials use the database key', () => {
      expect(primary?.[1].Properties).toMatchObject({ StorageEncrypted: true, KmsKeyId: expect.anything() });
      t.hasResourceProperties('AWS::RDS::DBInstance', {
        SourceDBInstanceIdentifier: Match.absent(),
        KmsKeyId: keyRef('Database'),
        EnablePerformanceInsights: config.database.performanceInsights,
        PerformanceInsightsKMSKeyId: config.database.performanceInsights ? keyRef('Database') : Match.absent(),
      });
      t.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: Match.stringLikeRegexp('app_admin') }),
        KmsKeyId: keyRef('Database'),
      });
    });

    test('replicas inherit encryption from the primary and are never public', () => {
      for (const [, replica] of replicas) {
        expect(replica.Properties?.StorageEncrypted).toBeUndefined();
        expect(replica.Properties?.KmsKeyId).toBeUndefined();
      }
      for (const [, instance] of instances) {
        expect(instance.Properties?.PubliclyAccessible).toBe(false);
      }
    });

    test('the parameter group forces TLS and logs slow statements, connections and pg_stat_statements', () => {
      t.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Family: `postgres${config.database.engineVersion.split('.')[0]}`,
        Parameters: Match.objectLike({
          'rds.force_ssl': '1',
          shared_preload_libraries: 'pg_stat_statements',
          log_min_duration_statement: String(config.database.slowStatementThresholdMs),
          log_connections: '1',
        }),
      });
      t.hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: ['postgresql', 'upgrade'] });
    });

    test('exported logs land in encrypted log groups created with retention', () => {
      const groups = resources(environment, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('DatabaseLogs'));
      expect(groups).toHaveLength(2 * instances.length);
      for (const [, group] of groups) {
        expect(group.Properties?.LogGroupName).toMatch(
          /^\/aws\/rds\/instance\/learning-assistant-[a-z]+-(primary|replica-\d)\/(postgresql|upgrade)$/,
        );
        expect(group.Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^KeysLogs/), 'Arn'] });
        expect(group.Properties?.RetentionInDays).toBe(config.logRetentionDays);
      }
    });

    test('monitoring as configured', () => {
      expect(primary?.[1].Properties?.MonitoringInterval).toBe(
        config.database.monitoringIntervalSeconds > 0 ? config.database.monitoringIntervalSeconds : undefined,
      );
    });

    test('backups, deletion protection and removal policy per environment', () => {
      expect(primary?.[1].Properties).toMatchObject({
        BackupRetentionPeriod: config.database.backupRetentionDays,
        DeletionProtection: config.database.deletionProtection,
        DeleteAutomatedBackups: !protectedEnv,
      });
      expect(primary?.[1].DeletionPolicy).toBe(protectedEnv ? 'Snapshot' : 'Delete');
      for (const [, replica] of replicas) {
        expect(replica.DeletionPolicy).toBe('Retain');
      }
    });

    test('pooling through RDS Proxy: TLS required, credentials from Secrets Manager, in the isolated tier', () => {
      t.hasResourceProperties('AWS::RDS::DBProxy', {
        EngineFamily: 'POSTGRESQL',
        RequireTLS: true,
        Auth: [
          Match.objectLike({
            AuthScheme: 'SECRETS',
            SecretArn: { Ref: Match.stringLikeRegexp('^DatabaseCredentialsAttachment') },
          }),
        ],
      });
    });

    test('credentials rotate on the configured schedule', () => {
      t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', KmsKeyArn: keyRef('Database') }),
        RotationRules: { ScheduleExpression: `rate(${config.database.credentialRotationDays} days)` },
      });
    });

    test('one reader name, weighted over the replicas or pointing at the proxy without them', () => {
      const records = resources(environment, 'AWS::Route53::RecordSet');
      expect(records).toHaveLength(Math.max(1, config.database.readReplicas));
      for (const [, record] of records) {
        expect(record.Properties).toMatchObject({
          Type: 'CNAME',
          Name: `reader.database.${environment}.learning-assistant.internal.`,
        });
      }
      if (config.database.readReplicas === 0) {
        expect(records[0]?.[1].Properties?.ResourceRecords).toEqual([
          { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseProxy/), 'Endpoint'] },
        ]);
      }
    });

    test('the primary accepts 5432 only from the proxy and the rotation function', () => {
      const ingress = resources(environment, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties ?? {});
      const toPrimary = ingress.filter((i) => JSON.stringify(i.GroupId).includes('DatabaseSecurityGroupsPrimary'));
      expect(toPrimary.map((i) => i.SourceSecurityGroupId['Fn::GetAtt'][0]).sort()).toEqual([
        expect.stringMatching(/^DatabaseSecurityGroupsProxy/),
        expect.stringMatching(/^DatabaseSecurityGroupsRotation/),
      ]);
    });
  });

  describe('cache', () => {
    test(`${config.cache.engine} ${config.cache.engineVersion}, Multi-AZ ${config.cache.multiAz}, ${config.cache.replicasPerShard} replica(s) per shard`, () => {
      t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        Engine: config.cache.engine,
        EngineVersion: config.cache.engineVersion,
        CacheNodeType: config.cache.nodeType,
        MultiAZEnabled: config.cache.multiAz,
        AutomaticFailoverEnabled: config.cache.multiAz || config.cache.clusterMode,
        ReplicasPerNodeGroup: config.cache.replicasPerShard,
        NumNodeGroups: config.cache.shards,
        ClusterMode: config.cache.clusterMode ? 'enabled' : 'disabled',
        SnapshotRetentionLimit: config.cache.snapshotRetentionDays,
      });
    });

    test('TLS required, encrypted at rest with the cache key, RBAC with the default user off', () => {
      t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        TransitEncryptionEnabled: true,
        TransitEncryptionMode: 'required',
        AtRestEncryptionEnabled: true,
        KmsKeyId: keyRef('Cache'),
        UserGroupIds: [{ Ref: Match.stringLikeRegexp('^CacheAccessUserGroup') }],
        AuthToken: Match.absent(),
      });
      t.hasResourceProperties('AWS::ElastiCache::User', { UserName: 'default', AccessString: 'off -@all' });
      t.hasResourceProperties('AWS::ElastiCache::User', {
        UserName: 'app',
        AuthenticationMode: {
          Type: 'password',
          Passwords: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')])] }],
        },
      });
      t.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
        KmsKeyId: keyRef('Cache'),
      });
    });

    test('slow and engine logs go to encrypted log groups', () => {
      t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        LogDeliveryConfigurations: [
          Match.objectLike({ LogType: 'slow-log', DestinationType: 'cloudwatch-logs' }),
          Match.objectLike({ LogType: 'engine-log', DestinationType: 'cloudwatch-logs' }),
        ],
      });
    });

    test('removal keeps a final snapshot where data is retained', () => {
      t.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: protectedEnv ? 'Snapshot' : 'Delete' });
    });
  });

  describe('buckets', () => {
    const buckets = resources(environment, 'AWS::S3::Bucket');

    test('public access blocked, versioned, ACLs disabled, EventBridge notifications, Object Lock available', () => {
      expect(buckets).toHaveLength(2);
      for (const [, bucket] of buckets) {
        expect(bucket.Properties).toMatchObject({
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          VersioningConfiguration: { Status: 'Enabled' },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
          ObjectLockEnabled: true,
        });
        expect(bucket.DeletionPolicy).toBe(protectedEnv ? 'Retain' : 'Delete');
      }
    });

    test('uploads use the storage key; access logs use SSE-S3 (what ALB log delivery requires)', () => {
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyRef('Storage') },
            },
          ],
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogs') },
          LogFilePrefix: 's3-access/uploads/',
        },
      });
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
    });

    test('lifecycle: noncurrent versions expire, logs transition and expire', () => {
      t.hasResourceProperties('AWS::S3::Bucket', {
        LoggingConfiguration: Match.absent(),
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              NoncurrentVersionExpiration: { NoncurrentDays: config.storage.noncurrentVersionExpirationDays },
              Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: config.storage.logTransitionDays }],
              ExpirationInDays: config.storage.logExpirationDays,
            }),
          ],
        },
      });
    });

    test('every bucket policy denies requests without TLS', () => {
      const policies = resources(environment, 'AWS::S3::BucketPolicy');
      expect(policies).toHaveLength(2);
      for (const [, policy] of policies) {
        expect(policy.Properties?.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
      }
    });
  });

  test('keys: one per data domain, rotating, aliased per environment', () => {
    for (const domain of ['database', 'cache', 'storage', 'logs']) {
      t.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/learning-assistant/${environment}/${domain}` });
    }
    t.resourceCountIs('AWS::KMS::Key', 4);
    t.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('no data resource outside the isolated tier', () => {
    const subnetRefs = [
      ...resources(environment, 'AWS::RDS::DBSubnetGroup').map(([, r]) => r.Properties?.SubnetIds),
      ...resources(environment, 'AWS::ElastiCache::SubnetGroup').map(([, r]) => r.Properties?.SubnetIds),
      ...resources(environment, 'AWS::RDS::DBProxy').map(([, r]) => r.Properties?.VpcSubnetIds),
    ];
    expect(subnetRefs).toHaveLength(3);
    for (const ids of subnetRefs) {
      expect(ids).toHaveLength(3);
      for (const id of ids) {
        expect(JSON.stringify(id)).toMatch(/NetworkDatabaseSubnet\dSubnet/);
      }
    }
  });

  test('no security group of the data layer admits a CIDR', () => {
    const groups = resources(environment, 'AWS::EC2::SecurityGroup');
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const [, group] of groups) {
      expect(group.Properties?.SecurityGroupIngress).toBeUndefined();
    }
    for (const [, rule] of resources(environment, 'AWS::EC2::SecurityGroupIngress')) {
      expect(rule.Properties?.CidrIp).toBeUndefined();
      expect(rule.Properties?.SourceSecurityGroupId).toBeDefined();
    }
  });
});

describe.each(ENVIRONMENTS)('%s key policies, in every stack', (environment) => {
  test('no key lets an account principal use it without going through a service', () => {
    const keys = synthesized()
      .stacks.filter((stack) => stack.environment === environment)
      .flatMap((stack) =>
        Object.entries(templateJson(environment, stack.stackId).Resources as Record<string, Resource>)
          .filter(([, r]) => r.Type === 'AWS::KMS::Key')
          .map(([id, r]) => ({
            key: `${stack.stackId}/${id}`,
            statements: r.Properties?.KeyPolicy.Statement as any[],
          })),
      );
    expect(keys.length).toBeGreaterThanOrEqual(6);
    const data = ['kms:*', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
    const open = keys.flatMap(({ key, statements }) =>
      statements
        .filter((st) => st.Effect === 'Allow' && st.Principal?.AWS !== undefined && st.Condition === undefined)
        .filter((st) => [st.Action].flat().some((action: string) => data.includes(action)))
        .map((st) => `${key}: ${JSON.stringify(st.Action)}`),
    );
    expect(open).toEqual([]);
  });
});

describe('protected environments', () => {
  test.each(['staging', 'prod'] as const)('%s: no data-holding resource is deleted with its stack', (environment) => {
    for (const stackId of ['Network', 'Data', 'Registry', 'Compute', 'Edge']) {
      expect({ stackId, deleted: deletedWithStack(templateJson(environment, stackId)) }).toEqual({
        stackId,
        deleted: [],
      });
    }
  });

  test('dev may be destroyed freely', () => {
    expect(deletedWithStack(templateJson('dev', 'Data')).length).toBeGreaterThan(5);
  });
});
