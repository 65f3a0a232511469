import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  CacheCluster,
  PostgresDatabase,
  type CacheClusterProps,
  type ICacheCluster,
  type IPostgresDatabase,
  type PostgresDatabaseProps,
} from '../../constructs/data';
import { ValidationError } from '../../constructs/shared';

const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

class TestStack extends Stack {
  public override get availabilityZones(): string[] {
    return AZS;
  }
}

function fixture() {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new TestStack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: AZS,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  return { stack, vpc, key: new kms.Key(stack, 'Key'), logKey: new kms.Key(stack, 'LogKey') };
}

function database(overrides: Partial<PostgresDatabaseProps> = {}) {
  const f = fixture();
  const db = new PostgresDatabase(f.stack, 'Db', {
    vpc: f.vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    availabilityZones: AZS,
    engineVersion: rds.PostgresEngineVersion.VER_17_6,
    instanceType: new ec2.InstanceType('t4g.medium'),
    identifierPrefix: 'test-app',
    encryptionKey: f.key,
    logEncryptionKey: f.logKey,
    ...overrides,
  });
  return { ...f, db };
}

function cache(overrides: Partial<CacheClusterProps> = {}) {
  const f = fixture();
  const c = new CacheCluster(f.stack, 'Cache', {
    vpc: f.vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    replicationGroupId: 'test-cache',
    encryptionKey: f.key,
    logEncryptionKey: f.logKey,
    ...overrides,
  });
  return { ...f, cache: c };
}

/** A single metric as CloudWatch sees it, tokens resolved. */
function stat(stack: Stack, metric: cloudwatch.IMetric) {
  const { metricStat, mathExpression } = metric.toMetricConfig();
  expect(mathExpression).toBeUndefined();
  return {
    namespace: metricStat?.namespace,
    metricName: metricStat?.metricName,
    dimensions: stack.resolve(Object.fromEntries((metricStat?.dimensions ?? []).map((d) => [d.name, d.value]))),
    statistic: metricStat?.statistic,
    periodSeconds: metricStat?.period.toSeconds(),
  };
}

/** A math expression and the single metrics it uses, by id. */
function expression(stack: Stack, metric: cloudwatch.IMetric) {
  const { mathExpression } = metric.toMetricConfig();
  expect(mathExpression).toBeDefined();
  return {
    expression: mathExpression?.expression,
    periodSeconds: mathExpression?.period,
    using: Object.fromEntries(
      Object.entries(mathExpression?.usingMetrics ?? {}).map(([id, used]) => [id, stat(stack, used)]),
    ),
  };
}

const ref = (logicalIdPrefix: string) => ({ Ref: expect.stringMatching(new RegExp(`^${logicalIdPrefix}`)) });

describe('PostgresDatabase metrics', () => {
  const primary: Array<[string, (db: IPostgresDatabase) => cloudwatch.IMetric, string]> = [
    ['metricCPUUtilization', (db) => db.metricCPUUtilization(), 'CPUUtilization'],
    ['metricFreeableMemory', (db) => db.metricFreeableMemory(), 'FreeableMemory'],
    ['metricFreeStorageSpace', (db) => db.metricFreeStorageSpace(), 'FreeStorageSpace'],
    ['metricDatabaseConnections', (db) => db.metricDatabaseConnections(), 'DatabaseConnections'],
  ];
  test.each(primary)('%s: the primary, Average over 5 minutes', (_name, metricOf, metricName) => {
    const { stack, db } = database({ readReplicas: 2 });
    expect(stat(stack, metricOf(db))).toEqual({
      namespace: 'AWS/RDS',
      metricName,
      dimensions: { DBInstanceIdentifier: ref('Db[0-9A-F]{8}$') },
      statistic: 'Average',
      periodSeconds: 300,
    });
  });

  test('metric options override the defaults', () => {
    const { stack, db } = database();
    const metric = db.metricCPUUtilization({ statistic: 'Maximum', period: Duration.minutes(1) });
    expect(stat(stack, metric)).toMatchObject({ statistic: 'Maximum', periodSeconds: 60 });
  });

  const proxy: Array<[string, (db: IPostgresDatabase) => cloudwatch.IMetric, string, number]> = [
    ['metricProxyClientConnections', (db) => db.metricProxyClientConnections(), 'ClientConnections', 60],
    [
      'metricProxyDatabaseConnectionsSetupFailed',
      (db) => db.metricProxyDatabaseConnectionsSetupFailed(),
      'DatabaseConnectionsSetupFailed',
      300,
    ],
    [
      'metricProxyClientConnectionsSetupFailedAuth',
      (db) => db.metricProxyClientConnectionsSetupFailedAuth(),
      'ClientConnectionsSetupFailedAuth',
      300,
    ],
  ];
  test.each(proxy)('%s: the proxy, by ProxyName, Sum', (_name, metricOf, metricName, periodSeconds) => {
    const { stack, db } = database();
    expect(stat(stack, metricOf(db))).toEqual({
      namespace: 'AWS/RDS',
      metricName,
      dimensions: { ProxyName: ref('DbProxy') },
      statistic: 'Sum',
      periodSeconds,
    });
  });

  test('metricReplicaLag of one replica is its own ReplicaLag, Maximum', () => {
    const { stack, db } = database({ readReplicas: 1 });
    expect(stat(stack, db.metricReplicaLag())).toEqual({
      namespace: 'AWS/RDS',
      metricName: 'ReplicaLag',
      dimensions: { DBInstanceIdentifier: ref('DbReplicasReplica1') },
      statistic: 'Maximum',
      periodSeconds: 300,
    });
  });

  test('metricReplicaLag of several replicas is the largest lag of any', () => {
    const { stack, db } = database({ readReplicas: 2 });
    const lag = expression(stack, db.metricReplicaLag({ statistic: 'Average', label: 'Lag' }));
    expect(lag).toEqual({
      expression: 'MAX([m1, m2])',
      periodSeconds: 300,
      using: {
        m1: expect.objectContaining({
          metricName: 'ReplicaLag',
          dimensions: { DBInstanceIdentifier: ref('DbReplicasReplica1') },
          statistic: 'Average',
        }),
        m2: expect.objectContaining({
          metricName: 'ReplicaLag',
          dimensions: { DBInstanceIdentifier: ref('DbReplicasReplica2') },
          statistic: 'Average',
        }),
      },
    });
    expect(db.metricReplicaLag({ label: 'Lag' }).toMetricConfig().renderingProperties).toMatchObject({ label: 'Lag' });
  });

  test('metricReplicaLag without replicas says why instead of returning a metric without data', () => {
    const { db } = database();
    expect(() => db.metricReplicaLag()).toThrow(ValidationError);
    expect(() => db.metricReplicaLag()).toThrow(/no read replicas, and only replicas publish ReplicaLag/);
  });

  test('alarms accept the replica-lag expression', () => {
    const { stack, db } = database({ readReplicas: 2 });
    new cloudwatch.Alarm(stack, 'Lag', { metric: db.metricReplicaLag(), threshold: 30, evaluationPeriods: 3 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'MAX([m1, m2])', ReturnData: true })]),
    });
  });
});

describe('CacheCluster metrics', () => {
  const methods: Array<[string, (c: ICacheCluster) => cloudwatch.IMetric, string, string, 'MAX' | 'SUM']> = [
    ['metricCPUUtilization', (c) => c.metricCPUUtilization(), 'CPUUtilization', 'Average', 'MAX'],
    ['metricEngineCPUUtilization', (c) => c.metricEngineCPUUtilization(), 'EngineCPUUtilization', 'Average', 'MAX'],
    [
      'metricDatabaseMemoryUsagePercentage',
      (c) => c.metricDatabaseMemoryUsagePercentage(),
      'DatabaseMemoryUsagePercentage',
      'Average',
      'MAX',
    ],
    ['metricEvictions', (c) => c.metricEvictions(), 'Evictions', 'Sum', 'SUM'],
    ['metricReplicationLag', (c) => c.metricReplicationLag(), 'ReplicationLag', 'Maximum', 'MAX'],
    ['metricCurrConnections', (c) => c.metricCurrConnections(), 'CurrConnections', 'Average', 'SUM'],
  ];

  test.each(methods)(
    '%s: every node of the replication group, by CacheClusterId',
    (_name, metricOf, metricName, statistic, aggregation) => {
      const { stack, cache: c } = cache();
      const node = (id: string) => ({
        namespace: 'AWS/ElastiCache',
        metricName,
        dimensions: { CacheClusterId: id },
        statistic,
        periodSeconds: 300,
      });
      expect(expression(stack, metricOf(c))).toEqual({
        expression: `${aggregation}([m1, m2])`,
        periodSeconds: 300,
        using: { m1: node('test-cache-001'), m2: node('test-cache-002') },
      });
    },
  );

  test('cluster mode names the nodes by shard, then node', () => {
    const { stack, cache: c } = cache({ clusterMode: true, shards: 2, replicasPerShard: 1 });
    const cpu = expression(stack, c.metricEngineCPUUtilization());
    expect(cpu.expression).toBe('MAX([m1, m2, m3, m4])');
    expect(Object.values(cpu.using).map((m) => m.dimensions.CacheClusterId)).toEqual([
      'test-cache-0001-001',
      'test-cache-0001-002',
      'test-cache-0002-001',
      'test-cache-0002-002',
    ]);
  });

  test('a single node is its own metric', () => {
    const { stack, cache: c } = cache({ replicasPerShard: 0, multiAz: false });
    expect(stat(stack, c.metricDatabaseMemoryUsagePercentage())).toEqual({
      namespace: 'AWS/ElastiCache',
      metricName: 'DatabaseMemoryUsagePercentage',
      dimensions: { CacheClusterId: 'test-cache-001' },
      statistic: 'Average',
      periodSeconds: 300,
    });
  });

  test('statistic goes to every node, period and label to the expression', () => {
    const { stack, cache: c } = cache();
    const metric = c.metricCPUUtilization({ statistic: 'Maximum', period: Duration.minutes(1), label: 'Hottest' });
    const cpu = expression(stack, metric);
    expect(cpu.periodSeconds).toBe(60);
    expect(Object.values(cpu.using).map((m) => m.statistic)).toEqual(['Maximum', 'Maximum']);
    expect(metric.toMetricConfig().renderingProperties).toMatchObject({ label: 'Hottest' });
  });

  test('metricReplicationLag without replicas says why', () => {
    const { cache: c } = cache({ replicasPerShard: 0, multiAz: false });
    expect(() => c.metricReplicationLag()).toThrow(ValidationError);
    expect(() => c.metricReplicationLag()).toThrow(/replicasPerShard is 0, and only replicas publish ReplicationLag/);
  });

  test('alarms accept the per-node expression', () => {
    const { stack, cache: c } = cache({ replicasPerShard: 2 });
    new cloudwatch.Alarm(stack, 'Evictions', { metric: c.metricEvictions(), threshold: 0, evaluationPeriods: 1 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'SUM([m1, m2, m3])', ReturnData: true })]),
    });
  });
});
