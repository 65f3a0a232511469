import { Match } from 'aws-cdk-lib/assertions';
import type { EnvironmentName } from '../config';
import { committedConfigs, environmentsWhere } from './support/config';
import { ENVIRONMENTS, resources, synthesized, template, templateJson } from './support/synth';
import { deletedWithStack } from './support/stateful';

const configs = committedConfigs();

// Which branch each environment's committed config takes. The first tests pin these tables to config,
// so moving an environment to another branch fails there instead of silently testing the other one.

/** `database.readReplicas` is above 0. */
const HAS_READ_REPLICAS = { dev: false, staging: true, prod: true } as const;
/** `removalPolicy` is 'retain'. */
const RETAINS_DATA = { dev: false, staging: true, prod: true } as const;
/** `database.performanceInsights`. */
const PERFORMANCE_INSIGHTS = { dev: false, staging: true, prod: true } as const;
/** `database.monitoringIntervalSeconds` is above 0. */
const ENHANCED_MONITORING = { dev: false, staging: true, prod: true } as const;
/** `cache.clusterMode`: no environment shards its cache, so the tests below expect it off. */
const CACHE_CLUSTER_MODE = { dev: false, staging: false, prod: false } as const;

/**
 * The data layer's security groups: primary, replicas, proxy, rotation function, cache, and the
 * bootstrap function and its provider.
 */
// Primary, proxy, replicas, rotation, isolated (restored copies), bootstrap, bootstrap provider, cache.
const SECURITY_GROUPS = 8;
/** Rules of the data layer's own groups: the proxy, the rotation function and the bootstrap to the primary. */
const INGRESS_RULES = 3;

const keyRef = (domain: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^Keys${domain}`), 'Arn'] });

/** The Data stack of one environment, and its database instances. */
function dataStack(environment: EnvironmentName) {
  const instances = resources(environment, 'Data', 'AWS::RDS::DBInstance');
  return {
    config: configs[environment],
    t: template(environment, 'Data'),
    instances,
    primary: instances.find(([, r]) => r.Properties?.SourceDBInstanceIdentifier === undefined),
    replicas: instances.filter(([, r]) => r.Properties?.SourceDBInstanceIdentifier !== undefined),
  };
}

describe.each(ENVIRONMENTS)('%s data stack: committed config', (environment) => {
  test('takes the branches the tables of this file expect', () => {
    const config = configs[environment];
    expect({
      readReplicas: config.database.readReplicas > 0,
      retainsData: config.removalPolicy === 'retain',
      performanceInsights: config.database.performanceInsights,
      enhancedMonitoring: config.database.monitoringIntervalSeconds > 0,
      cacheClusterMode: config.cache.clusterMode,
    }).toEqual({
      readReplicas: HAS_READ_REPLICAS[environment],
      retainsData: RETAINS_DATA[environment],
      performanceInsights: PERFORMANCE_INSIGHTS[environment],
      enhancedMonitoring: ENHANCED_MONITORING[environment],
      cacheClusterMode: CACHE_CLUSTER_MODE[environment],
    });
  });
});

describe.each(ENVIRONMENTS)('%s data stack', (environment) => {
  const { config, t, instances, primary, replicas } = dataStack(environment);

  describe('PostgreSQL', () => {
    test(`one primary (Multi-AZ: ${config.database.multiAz}) and ${config.database.readReplicas} replica(s) in distinct AZs`, () => {
      expect(instances).toHaveLength(1 + config.database.readReplicas);
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

    test('storage and credentials use the database key', () => {
      expect(primary?.[1].Properties).toMatchObject({ StorageEncrypted: true, KmsKeyId: expect.anything() });
      t.hasResourceProperties('AWS::RDS::DBInstance', {
        SourceDBInstanceIdentifier: Match.absent(),
        KmsKeyId: keyRef('Database'),
        EnablePerformanceInsights: config.database.performanceInsights,
      });
      t.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: Match.stringLikeRegexp('app_admin') }),
        KmsKeyId: keyRef('Database'),
      });
    });

    test('replicas inherit encryption from the primary and are never public', () => {
      expect(replicas).toHaveLength(config.database.readReplicas);
      for (const [, replica] of replicas) {
        expect(replica.Properties?.StorageEncrypted).toBeUndefined();
        expect(replica.Properties?.KmsKeyId).toBeUndefined();
      }
      expect(instances).toHaveLength(1 + config.database.readReplicas);
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
      const groups = resources(environment, 'Data', 'AWS::Logs::LogGroup').filter(
        ([id]) => id.startsWith('DatabaseLogs') && !id.startsWith('DatabaseLogsRotation'),
      );
      expect(groups).toHaveLength(2 * (1 + config.database.readReplicas));
      for (const [, group] of groups) {
        expect(group.Properties?.LogGroupName).toMatch(
          /^\/aws\/rds\/instance\/learning-assistant-[a-z]+-(primary|replica-\d)\/(postgresql|upgrade)$/,
        );
        expect(group.Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^KeysLogs/), 'Arn'] });
        expect(group.Properties?.RetentionInDays).toBe(config.logRetentionDays);
      }
    });

    test('backups and deletion protection as configured; replicas are retained (a promoted one is the database)', () => {
      expect(primary?.[1].Properties).toMatchObject({
        BackupRetentionPeriod: config.database.backupRetentionDays,
        DeletionProtection: config.database.deletionProtection,
      });
      expect(replicas).toHaveLength(config.database.readReplicas);
      for (const [, replica] of replicas) {
        // Kept when the stack goes (DeployReadiness-RdsReplicaKeptIfPromoted), released on a failed first create.
        expect(replica.DeletionPolicy).toBe('RetainExceptOnCreate');
        expect(replica.Properties?.DeletionProtection).toBe(config.database.deletionProtection);
      }
    });

    test('pooling through RDS Proxy: TLS required, end-to-end IAM authentication, no secret', () => {
      t.hasResourceProperties('AWS::RDS::DBProxy', {
        EngineFamily: 'POSTGRESQL',
        RequireTLS: true,
        DefaultAuthScheme: 'IAM_AUTH',
        // With IAM_AUTH the proxy has no Auth entries: no secret (the master's least of all), and no
        // client gets in without an IAM token.
        Auth: Match.absent(),
      });
    });

    test("the proxy's role may log in to the primary as the application users only, and reads no secret", () => {
      const statements = resources(environment, 'Data', 'AWS::IAM::ManagedPolicy')
        .filter(([id]) => id.startsWith('DatabaseProxyRole'))
        .flatMap(([, p]) => p.Properties?.PolicyDocument.Statement as any[]);
      expect(statements.flatMap((st) => [st.Action].flat())).toEqual(['rds-db:connect']);
      const users = statements
        .flatMap((st) => [st.Resource].flat())
        .map((r: any) => {
          const parts = r['Fn::Join'][1] as unknown[];
          expect(parts).toContainEqual({ 'Fn::GetAtt': [primary?.[0], 'DbiResourceId'] });
          return parts.at(-1);
        });
      expect(users.sort()).toEqual(['/app_reader', '/app_writer']);
    });

    test('the master credentials rotate on the configured schedule (single user: only administrators hold them)', () => {
      t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', KmsKeyArn: keyRef('Database') }),
        RotationRules: { ScheduleExpression: `rate(${config.database.credentialRotationDays} days)` },
      });
    });

    test('one reader name, weighted over the replicas (and the proxy as fallback) or pointing at the proxy without them', () => {
      const records = resources(environment, 'Data', 'AWS::Route53::RecordSet');
      const replicas = config.database.readReplicas;
      expect(records).toHaveLength(replicas === 0 ? 1 : replicas + 1);
      for (const [, record] of records) {
        expect(record.Properties).toMatchObject({
          Type: 'CNAME',
          Name: `reader.database.${environment}.learning-assistant.internal.`,
          // Rule pack: every weighted record set has a health check.
          HealthCheckId: { Ref: expect.stringMatching(/^DatabaseReaderHealth/) },
        });
      }
    });

    test('the primary accepts 5432 only from the proxy, the rotation function and the bootstrap step', () => {
      const ingress = resources(environment, 'Data', 'AWS::EC2::SecurityGroupIngress').map(
        ([, r]) => r.Properties ?? {},
      );
      const toPrimary = ingress.filter((i) => JSON.stringify(i.GroupId).includes('DatabaseSecurityGroupsPrimary'));
      expect(toPrimary.map((i) => i.SourceSecurityGroupId['Fn::GetAtt'][0]).sort()).toEqual([
        expect.stringMatching(/^DatabaseBootstrapSecurityGroup/),
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
        // Without cluster mode (see CACHE_CLUSTER_MODE), failover follows Multi-AZ.
        AutomaticFailoverEnabled: config.cache.multiAz,
        ReplicasPerNodeGroup: config.cache.replicasPerShard,
        NumNodeGroups: config.cache.shards,
        ClusterMode: 'disabled',
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
      const users = resources(environment, 'Data', 'AWS::ElastiCache::User').map(([, u]) => u.Properties ?? {});
      expect(users.map((u) => [u.UserName, u.AccessString.split(' ')[0], u.AuthenticationMode?.Type])).toEqual([
        // The default user is off for both engines (Valkey's has an unused password, Redis OSS's none).
        ['default', 'off', config.cache.engine === 'valkey' ? 'password' : 'no-password-required'],
        [users[1]?.UserId, 'on', 'iam'],
      ]);
      // IAM authentication: the application user's name equals its ID, and it has no password.
      expect(users[1]?.UserName).toMatch(/-app-iam$/);
      expect(users[1]?.AuthenticationMode).toEqual({ Type: 'iam' });
      expect(users[1]?.Passwords).toBeUndefined();
      // No secret holds an application cache password (only Valkey's disabled default user has one).
      const cacheSecrets = resources(environment, 'Data', 'AWS::SecretsManager::Secret').filter(([id]) =>
        id.startsWith('Cache'),
      );
      expect(cacheSecrets.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(
        config.cache.engine === 'valkey' ? ['CacheAccessDefaultUserPassword'] : [],
      );
    });

    test('slow and engine logs go to encrypted log groups', () => {
      t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        LogDeliveryConfigurations: [
          Match.objectLike({ LogType: 'slow-log', DestinationType: 'cloudwatch-logs' }),
          Match.objectLike({ LogType: 'engine-log', DestinationType: 'cloudwatch-logs' }),
        ],
      });
    });
  });

  describe('buckets', () => {
    const buckets = resources(environment, 'Data', 'AWS::S3::Bucket');

    test('public access blocked, versioned, ACLs disabled, EventBridge notifications', () => {
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
        });
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

    test('uploads have Object Lock without a default retention; the access logs, which receive S3 server access logs, none', () => {
      const [[, logs] = []] = buckets.filter(([id]) => id.startsWith('AccessLogs'));
      const [[, uploads] = []] = buckets.filter(([id]) => id.startsWith('Uploads'));
      // S3 does not deliver server access logs into a bucket with Object Lock.
      expect(logs?.Properties?.ObjectLockEnabled).toBe(false);
      expect(uploads?.Properties?.LoggingConfiguration?.DestinationBucketName).toEqual({
        Ref: buckets.find(([id]) => id.startsWith('AccessLogs'))?.[0],
      });
      // User uploads must stay deletable: legal holds only.
      expect(uploads?.Properties?.ObjectLockEnabled).toBe(true);
      expect(uploads?.Properties?.ObjectLockConfiguration).toBeUndefined();
    });

    test('every bucket-policy statement that grants an AWS service names the source account', () => {
      const statements = resources(environment, 'Data', 'AWS::S3::BucketPolicy').flatMap(
        ([, policy]) => policy.Properties?.PolicyDocument.Statement as Array<Record<string, any>>,
      );
      const services = statements.filter((st) => st.Principal?.Service !== undefined);
      expect(services.length).toBeGreaterThan(0);
      for (const statement of services) {
        expect(statement.Condition?.StringEquals?.['aws:SourceAccount']).toBe(config.account);
      }
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
      const policies = resources(environment, 'Data', 'AWS::S3::BucketPolicy');
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
    // With backup, the home vault has its own key.
    t.resourceCountIs('AWS::KMS::Key', 4 + (configs[environment].backup.enabled ? 1 : 0));
    t.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('no data resource outside the isolated tier', () => {
    const subnetRefs = [
      ...resources(environment, 'Data', 'AWS::RDS::DBSubnetGroup').map(([, r]) => r.Properties?.SubnetIds),
      ...resources(environment, 'Data', 'AWS::ElastiCache::SubnetGroup').map(([, r]) => r.Properties?.SubnetIds),
      ...resources(environment, 'Data', 'AWS::RDS::DBProxy').map(([, r]) => r.Properties?.VpcSubnetIds),
    ];
    expect(subnetRefs).toHaveLength(3);
    for (const ids of subnetRefs) {
      expect(ids).toHaveLength(config.availabilityZones.length);
      for (const id of ids) {
        expect(JSON.stringify(id)).toMatch(/NetworkDatabaseSubnet\dSubnet/);
      }
    }
  });

  test('no security group of the data layer admits a CIDR', () => {
    const groups = resources(environment, 'Data', 'AWS::EC2::SecurityGroup');
    expect(groups).toHaveLength(SECURITY_GROUPS);
    for (const [, group] of groups) {
      expect(group.Properties?.SecurityGroupIngress).toBeUndefined();
    }
    const rules = resources(environment, 'Data', 'AWS::EC2::SecurityGroupIngress');
    expect(rules).toHaveLength(INGRESS_RULES);
    for (const [, rule] of rules) {
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
        resources(environment, stack.stackId, 'AWS::KMS::Key').map(([id, r]) => ({
          key: `${stack.stackId}/${id}`,
          statements: r.Properties?.KeyPolicy.Statement as any[],
        })),
      );
    // Network: flow logs; Data: database, cache, storage, logs; Registry: images; Edge: WAF logs, edge
    // alarm topic; Monitoring: alarm topics, and the canary's artifacts and logs where it runs.
    const siteCheck = configs[environment].monitoring.syntheticCheck.enabled;
    const count = (stackId: string) => keys.filter(({ key }) => key.split('/')[0] === stackId).length;
    const backupOn = configs[environment].backup.enabled;
    const standbyOn = configs[environment].backup.standby !== undefined;
    const stacks = ['Network', 'Dr', 'Data', 'Standby', 'Registry', 'Edge', 'Monitoring'];
    expect(Object.fromEntries(stacks.map((id) => [id, count(id)]))).toEqual({
      Network: 1,
      // With backup: the copy vault's key and the replica's, in the DR region.
      Dr: backupOn ? 2 : 0,
      // With a standby: its storage, its logs (and flow logs) and its alarm topic, in the DR region.
      Standby: standbyOn ? 3 : 0,
      // With backup, the home vault has its own key.
      Data: 4 + (backupOn ? 1 : 0),
      Registry: 1,
      Edge: 2,
      Monitoring: 1 + (siteCheck ? 1 : 0),
    });
    expect(keys).toHaveLength(stacks.reduce((n, id) => n + count(id), 0));
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

describe.each(environmentsWhere(HAS_READ_REPLICAS, true))('%s data stack, with read replicas', (environment) => {
  const { replicas } = dataStack(environment);

  test('the reader name is weighted over the replicas, one health-checked record each', () => {
    const records = resources(environment, 'Data', 'AWS::Route53::RecordSet').filter(
      ([, r]) => r.Properties?.SetIdentifier !== 'reader-primary',
    );
    expect(records).toHaveLength(configs[environment].database.readReplicas);
    expect(records.map(([, r]) => JSON.stringify(r.Properties?.ResourceRecords)).sort()).toEqual(
      replicas.map(([id]) => JSON.stringify([{ 'Fn::GetAtt': [id, 'Endpoint.Address'] }])).sort(),
    );
    for (const [, record] of records) {
      expect(record.Properties).toMatchObject({
        Weight: 1,
        SetIdentifier: expect.stringMatching(/^reader-\d$/),
        HealthCheckId: { Ref: expect.stringMatching(/^DatabaseReaderHealthReplica\d/) },
      });
    }
  });

  test('when every replica is unhealthy, the zero-weight record sends readers to the proxy', () => {
    const fallback = resources(environment, 'Data', 'AWS::Route53::RecordSet').filter(
      ([, r]) => r.Properties?.SetIdentifier === 'reader-primary',
    );
    expect(fallback.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        Weight: 0,
        ResourceRecords: [{ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseProxy/), 'Endpoint'] }],
      }),
    ]);
  });

  test('each replica health check reads a ReplicaLag alarm that treats silence as failure', () => {
    const alarms = resources(environment, 'Data', 'AWS::CloudWatch::Alarm').filter(
      ([, r]) => r.Properties?.MetricName === 'ReplicaLag',
    );
    expect(alarms).toHaveLength(configs[environment].database.readReplicas);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({ TreatMissingData: 'breaching', Threshold: 30, Period: 60 });
    }
    const checks = resources(environment, 'Data', 'AWS::Route53::HealthCheck');
    expect(checks).toHaveLength(configs[environment].database.readReplicas + 1);
    for (const [, check] of checks) {
      expect(check.Properties?.HealthCheckConfig).toMatchObject({
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Region: configs[environment].region },
      });
    }
  });
});

describe.each(environmentsWhere(HAS_READ_REPLICAS, false))('%s data stack, without read replicas', (environment) => {
  test('the reader name points at the proxy', () => {
    const records = resources(environment, 'Data', 'AWS::Route53::RecordSet');
    expect(records).toHaveLength(1);
    expect(records[0]?.[1].Properties?.ResourceRecords).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseProxy/), 'Endpoint'] },
    ]);
  });
});

describe.each(environmentsWhere(PERFORMANCE_INSIGHTS, true))(
  '%s data stack, with Performance Insights',
  (environment) => {
    test('Performance Insights is encrypted with the database key', () => {
      template(environment, 'Data').hasResourceProperties('AWS::RDS::DBInstance', {
        SourceDBInstanceIdentifier: Match.absent(),
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: keyRef('Database'),
      });
    });
  },
);

describe.each(environmentsWhere(PERFORMANCE_INSIGHTS, false))(
  '%s data stack, without Performance Insights',
  (environment) => {
    test('no Performance Insights key', () => {
      template(environment, 'Data').hasResourceProperties('AWS::RDS::DBInstance', {
        SourceDBInstanceIdentifier: Match.absent(),
        EnablePerformanceInsights: false,
        PerformanceInsightsKMSKeyId: Match.absent(),
      });
    });
  },
);

describe.each(environmentsWhere(ENHANCED_MONITORING, true))(
  '%s data stack, with enhanced monitoring',
  (environment) => {
    const { config, primary } = dataStack(environment);

    test(`enhanced monitoring every ${config.database.monitoringIntervalSeconds} s`, () => {
      expect(primary?.[1].Properties?.MonitoringInterval).toBe(config.database.monitoringIntervalSeconds);
    });
  },
);

describe.each(environmentsWhere(ENHANCED_MONITORING, false))(
  '%s data stack, without enhanced monitoring',
  (environment) => {
    const { primary } = dataStack(environment);

    test('no monitoring interval', () => {
      expect(primary).toBeDefined();
      expect(primary?.[1].Properties?.MonitoringInterval).toBeUndefined();
    });
  },
);

describe.each(environmentsWhere(RETAINS_DATA, true))('%s data stack, retaining data', (environment) => {
  const { t, primary } = dataStack(environment);

  test('the primary keeps a final snapshot and its automated backups when the stack goes', () => {
    expect(primary?.[1].Properties?.DeleteAutomatedBackups).toBe(false);
    expect(primary?.[1].DeletionPolicy).toBe('Snapshot');
  });

  test('the cache keeps a final snapshot when the stack goes', () => {
    t.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Snapshot' });
  });

  test('buckets are retained when the stack goes', () => {
    const buckets = resources(environment, 'Data', 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [, bucket] of buckets) {
      expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    }
  });
});

describe.each(environmentsWhere(RETAINS_DATA, false))('%s data stack, destroyed freely', (environment) => {
  const { t, primary } = dataStack(environment);

  test('the primary and its automated backups go with the stack', () => {
    expect(primary?.[1].Properties?.DeleteAutomatedBackups).toBe(true);
    expect(primary?.[1].DeletionPolicy).toBe('Delete');
  });

  test('the cache goes with the stack', () => {
    t.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Delete' });
  });

  test('buckets go with the stack', () => {
    const buckets = resources(environment, 'Data', 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [, bucket] of buckets) {
      expect(bucket.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('protected environments', () => {
  test.each(environmentsWhere(RETAINS_DATA, true))(
    '%s: no data-holding resource is deleted with its stack',
    (environment) => {
      for (const stackId of ['Network', 'Data', 'Registry', 'Compute', 'Edge']) {
        expect({ stackId, deleted: deletedWithStack(templateJson(environment, stackId)) }).toEqual({
          stackId,
          deleted: [],
        });
      }
    },
  );

  test.each(environmentsWhere(RETAINS_DATA, false))('%s may be destroyed freely', (environment) => {
    expect(deletedWithStack(templateJson(environment, 'Data')).length).toBeGreaterThan(5);
  });
});
