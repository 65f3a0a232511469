import { Annotations as AwsAnnotations, Duration, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type ICacheCluster, type IPostgresDatabase } from '../../constructs/data';
import { TOO_MANY_MEMBERS_WARNING, ValidationError } from '../../constructs/shared';
import { testCache, testDatabase } from '../support/builders';
import { metricExpression, metricStat } from '../support/metrics';

const ref = (logicalIdPrefix: string) => ({ Ref: expect.stringMatching(new RegExp(`^${logicalIdPrefix}`)) });

describe('PostgresDatabase metrics', () => {
  const primary: Array<[string, (db: IPostgresDatabase) => cloudwatch.IMetric, string]> = [
    ['metricCPUUtilization', (db) => db.metricCPUUtilization(), 'CPUUtilization'],
    ['metricFreeableMemory', (db) => db.metricFreeableMemory(), 'FreeableMemory'],
    ['metricFreeStorageSpace', (db) => db.metricFreeStorageSpace(), 'FreeStorageSpace'],
    ['metricDatabaseConnections', (db) => db.metricDatabaseConnections(), 'DatabaseConnections'],
  ];
  test.each(primary)('%s: the primary, Average over 5 minutes', (_name, metricOf, metricName) => {
    const { stack, db } = testDatabase({ readReplicas: 2 });
    expect(metricStat(stack, metricOf(db))).toEqual({
      namespace: 'AWS/RDS',
      metricName,
      dimensions: { DBInstanceIdentifier: ref('Db[0-9A-F]{8}$') },
      statistic: 'Average',
      period: 300,
    });
  });

  test('metric options override the defaults', () => {
    const { stack, db } = testDatabase();
    const metric = db.metricCPUUtilization({ statistic: 'Maximum', period: Duration.minutes(1) });
    expect(metricStat(stack, metric)).toMatchObject({ statistic: 'Maximum', period: 60 });
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
  test.each(proxy)('%s: the proxy, by ProxyName, Sum', (_name, metricOf, metricName, period) => {
    const { stack, db } = testDatabase();
    expect(metricStat(stack, metricOf(db))).toEqual({
      namespace: 'AWS/RDS',
      metricName,
      dimensions: { ProxyName: ref('DbProxy') },
      statistic: 'Sum',
      period,
    });
  });

  test('metricReplicaLag of one replica is its own ReplicaLag, Maximum', () => {
    const { stack, db } = testDatabase({ readReplicas: 1 });
    expect(metricStat(stack, db.metricReplicaLag())).toEqual({
      namespace: 'AWS/RDS',
      metricName: 'ReplicaLag',
      dimensions: { DBInstanceIdentifier: ref('DbReplicasReplica1') },
      statistic: 'Maximum',
      period: 300,
    });
  });

  test('metricReplicaLag of several replicas is the largest lag of any', () => {
    const { stack, db } = testDatabase({ readReplicas: 2 });
    const lag = metricExpression(stack, db.metricReplicaLag({ statistic: 'Average', label: 'Lag' }));
    expect(lag).toEqual({
      expression: 'MAX([m1, m2])',
      label: 'Lag',
      period: 300,
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
    const { db } = testDatabase();
    expect(() => db.metricReplicaLag()).toThrow(ValidationError);
    expect(() => db.metricReplicaLag()).toThrow(/no read replicas, and only replicas publish ReplicaLag/);
  });

  test('alarms accept the replica-lag expression', () => {
    const { stack, db } = testDatabase({ readReplicas: 2 });
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
      const { stack, cache: c } = testCache();
      const node = (id: string) => ({
        namespace: 'AWS/ElastiCache',
        metricName,
        dimensions: { CacheClusterId: id },
        statistic,
        period: 300,
      });
      expect(metricExpression(stack, metricOf(c))).toEqual({
        expression: `${aggregation}([m1, m2])`,
        label: `${metricName} (${aggregation === 'MAX' ? 'largest' : 'sum'} over nodes)`,
        period: 300,
        using: { m1: node('test-cache-001'), m2: node('test-cache-002') },
      });
    },
  );

  test('cluster mode names the nodes by shard, then node', () => {
    const { stack, cache: c } = testCache({ clusterMode: true, shards: 2, replicasPerShard: 1 });
    const cpu = metricExpression(stack, c.metricEngineCPUUtilization());
    expect(cpu.expression).toBe('MAX([m1, m2, m3, m4])');
    expect(Object.values(cpu.using).map((m) => m.dimensions.CacheClusterId)).toEqual([
      'test-cache-0001-001',
      'test-cache-0001-002',
      'test-cache-0002-001',
      'test-cache-0002-002',
    ]);
  });

  test('a single node is its own metric', () => {
    const { stack, cache: c } = testCache({ replicasPerShard: 0, multiAz: false });
    expect(metricStat(stack, c.metricDatabaseMemoryUsagePercentage())).toEqual({
      namespace: 'AWS/ElastiCache',
      metricName: 'DatabaseMemoryUsagePercentage',
      dimensions: { CacheClusterId: 'test-cache-001' },
      statistic: 'Average',
      period: 300,
    });
  });

  test('statistic goes to every node, period and label to the expression', () => {
    const { stack, cache: c } = testCache();
    const metric = c.metricCPUUtilization({ statistic: 'Maximum', period: Duration.minutes(1), label: 'Hottest' });
    const cpu = metricExpression(stack, metric);
    expect(cpu.period).toBe(60);
    expect(Object.values(cpu.using).map((m) => m.statistic)).toEqual(['Maximum', 'Maximum']);
    expect(metric.toMetricConfig().renderingProperties).toMatchObject({ label: 'Hottest' });
  });

  test("dimensionsMap never replaces the nodes' dimensions; account and region reach every node", () => {
    const { stack, cache: c } = testCache();
    const props = { dimensionsMap: { CacheClusterId: 'elsewhere' }, account: '210987654321', region: 'us-east-1' };
    const metric = c.metricCurrConnections(props);
    expect(Object.values(metricExpression(stack, metric).using).map((m) => m.dimensions)).toEqual([
      { CacheClusterId: 'test-cache-001' },
      { CacheClusterId: 'test-cache-002' },
    ]);
    const members = Object.values(metric.toMetricConfig().mathExpression?.usingMetrics ?? {});
    expect(members.map((m) => [m.toMetricConfig().metricStat?.account, m.toMetricConfig().metricStat?.region])).toEqual(
      [
        ['210987654321', 'us-east-1'],
        ['210987654321', 'us-east-1'],
      ],
    );

    const single = testCache({ replicasPerShard: 0, multiAz: false });
    const own = single.cache.metricCurrConnections({
      ...props,
      statistic: 'Maximum',
      label: 'Connections',
      id: 'conn',
    });
    expect(metricStat(single.stack, own)).toMatchObject({
      statistic: 'Maximum',
      dimensions: { CacheClusterId: 'test-cache-001' },
    });
    expect(own.toMetricConfig()).toMatchObject({
      metricStat: { account: '210987654321', region: 'us-east-1' },
      renderingProperties: { label: 'Connections' },
    });
    expect((own as cloudwatch.Metric).id).toBe('conn');
  });

  describe('CloudWatch alarms accept at most 10 metrics in an expression', () => {
    const warnings = (stack: Stack) =>
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('metricTooManyMembers'));

    test('over 12 nodes (4 shards of 1 primary and 2 replicas) a metric warns, and still serves graphs', () => {
      const { stack, cache: c } = testCache({ clusterMode: true, shards: 4, replicasPerShard: 2 });
      const cpu = c.metricEngineCPUUtilization();
      expect(Object.keys(metricExpression(stack, cpu).using)).toHaveLength(12);
      c.metricEngineCPUUtilization({ period: Duration.minutes(1) });
      expect(warnings(stack)).toEqual([
        expect.objectContaining({
          id: '/Test/Cache',
          entry: expect.objectContaining({
            data: expect.stringMatching(
              /^EngineCPUUtilization \(largest over nodes\) is a math expression over 12 metrics: fine for graphs, but a CloudWatch alarm accepts at most 10 .* \[ack: @constructs\/shared:metricTooManyMembers\]$/,
            ),
          }),
        }),
      ]);
      new cloudwatch.GraphWidget({ left: [cpu] });
      expect(() => new cloudwatch.Alarm(stack, 'Cpu', { metric: cpu, threshold: 90, evaluationPeriods: 1 })).toThrow(
        /cannot contain more than 10 individual metrics/,
      );
    });

    test('up to 10 nodes, no warning', () => {
      const { stack, cache: c } = testCache({ clusterMode: true, shards: 5, replicasPerShard: 1 });
      new cloudwatch.Alarm(stack, 'Cpu', {
        metric: c.metricEngineCPUUtilization(),
        threshold: 90,
        evaluationPeriods: 1,
      });
      expect(warnings(stack)).toEqual([]);
    });

    test('the warning can be acknowledged where the metrics only feed graphs', () => {
      const { stack, cache: c } = testCache({ clusterMode: true, shards: 4, replicasPerShard: 2 });
      AwsAnnotations.of(c).acknowledgeWarning(TOO_MANY_MEMBERS_WARNING, 'graphs only');
      c.metricEvictions();
      expect(warnings(stack)).toEqual([]);
    });
  });

  test('metricReplicationLag without replicas says why', () => {
    const { cache: c } = testCache({ replicasPerShard: 0, multiAz: false });
    expect(() => c.metricReplicationLag()).toThrow(ValidationError);
    expect(() => c.metricReplicationLag()).toThrow(/replicasPerShard is 0, and only replicas publish ReplicationLag/);
  });

  test('alarms accept the per-node expression', () => {
    const { stack, cache: c } = testCache({ replicasPerShard: 2 });
    new cloudwatch.Alarm(stack, 'Evictions', { metric: c.metricEvictions(), threshold: 0, evaluationPeriods: 1 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'SUM([m1, m2, m3])', ReturnData: true })]),
    });
  });
});
