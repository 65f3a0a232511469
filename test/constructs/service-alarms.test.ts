import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CacheCluster, PostgresDatabase } from '../../constructs/data';
import { ServiceAlarms, type ServiceAlarmThresholds } from '../../constructs/observability';
import { testWebService } from '../support/builders';
import { TEST_AZS } from '../support/test-stack';

const THRESHOLDS: ServiceAlarmThresholds = {
  web5xxPercent: 5,
  p99LatencyMs: 2000,
  webCpuPercent: 85,
  webMemoryPercent: 85,
  dbCpuPercent: 80,
  dbFreeableMemoryMiB: 128,
  dbFreeStorageGiB: 5,
  dbConnections: 200,
  replicaLagSeconds: 60,
  proxyConnectionErrors: 5,
  cacheCpuPercent: 90,
  cacheEngineCpuPercent: 90,
  cacheMemoryPercent: 80,
  cacheEvictions: 100,
  cacheReplicationLagSeconds: 30,
  appErrors: 10,
  anomalyStandardDeviations: 3,
};

function build(options: { topics: boolean; replicas: boolean; extra?: boolean; siteCheck?: boolean }) {
  const { stack, vpc, web } = testWebService();
  const key = new kms.Key(stack, 'DataKey');
  const database = new PostgresDatabase(stack, 'Db', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    availabilityZones: TEST_AZS,
    engineVersion: rds.PostgresEngineVersion.VER_17_6,
    instanceType: new ec2.InstanceType('t4g.medium'),
    identifierPrefix: 'test-app',
    encryptionKey: key,
    logEncryptionKey: key,
    ...(options.replicas && { multiAz: true, readReplicas: 1 }),
  });
  const cache = new CacheCluster(stack, 'Cache', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    replicationGroupId: 'test-cache',
    encryptionKey: key,
    logEncryptionKey: key,
    replicasPerShard: options.replicas ? 1 : 0,
    ...(!options.replicas && { multiAz: false }),
  });
  const notifications = new sns.Topic(stack, 'Notifications');
  const paging = new sns.Topic(stack, 'Paging');
  const extra = options.extra
    ? [
        new cloudwatch.Alarm(stack, 'Outside', {
          alarmName: 'shop-prod-Canary',
          metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }),
          threshold: 1,
          evaluationPeriods: 1,
        }),
      ]
    : undefined;
  new ServiceAlarms(stack, 'Alarms', {
    additionalUserFacingAlarms: extra,
    ...(options.siteCheck && {
      siteCheckSuccessPercent: new cloudwatch.Metric({
        namespace: 'CloudWatchSynthetics',
        metricName: 'SuccessPercent',
        statistic: 'Average',
      }),
      siteCheckRuns: new cloudwatch.Metric({
        namespace: 'CloudWatchSynthetics',
        metricName: 'SuccessPercent',
        statistic: 'SampleCount',
        period: Duration.hours(1),
      }),
    }),
    alarmNamePrefix: 'shop-prod',
    web,
    minTasks: 2,
    database,
    databaseReplicas: options.replicas,
    cache,
    cacheReplicas: options.replicas,
    thresholds: THRESHOLDS,
    ...(options.topics && { notificationTopic: notifications, pagingTopic: paging }),
  });
  const template = Template.fromStack(stack);
  const topicId = (prefix: string) =>
    Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith(prefix));
  const alarms = {
    ...template.findResources('AWS::CloudWatch::Alarm'),
    ...template.findResources('AWS::CloudWatch::CompositeAlarm'),
  };
  // The web service's rollback alarms have generated names; ours start with the prefix.
  const rollbackAlarms = Object.values(alarms).filter(
    (alarm) =>
      alarm.Properties.AlarmName === undefined && String(alarm.Properties.AlarmDescription).startsWith('test-web:'),
  );
  const byName = Object.fromEntries(
    Object.values(alarms)
      .filter((alarm) => alarm.Properties.AlarmName !== undefined)
      .map((alarm) => [
        String(alarm.Properties.AlarmName),
        alarm.Properties as {
          ActionsEnabled?: boolean;
          AlarmActions?: unknown;
          OKActions?: unknown;
          AlarmRule?: unknown;
          Threshold?: number;
          Metrics?: unknown;
          TreatMissingData?: string;
          ComparisonOperator?: string;
          EvaluationPeriods?: number;
          DatapointsToAlarm?: number;
        },
      ]),
  );
  return { byName, rollbackAlarms, notifications: topicId('Notifications'), paging: topicId('Paging') };
}

describe('ServiceAlarms', () => {
  test('component alarms notify, the service-degraded composite pages, both on ALARM and OK', () => {
    const { byName, notifications, paging } = build({ topics: true, replicas: true });
    for (const [name, alarm] of Object.entries(byName)) {
      if (name === 'shop-prod-Canary') continue;
      const topic = name === 'shop-prod-Web-ServiceDegraded' ? paging : notifications;
      expect({ name, enabled: alarm.ActionsEnabled, alarm: alarm.AlarmActions, ok: alarm.OKActions }).toEqual({
        name,
        enabled: true,
        alarm: [{ Ref: topic }],
        ok: [{ Ref: topic }],
      });
    }
  });

  test('without topics every alarm is silent', () => {
    const { byName } = build({ topics: false, replicas: false });
    for (const [name, alarm] of Object.entries(byName)) {
      expect({ name, enabled: alarm.ActionsEnabled, actions: alarm.AlarmActions ?? alarm.OKActions }).toEqual({
        name,
        enabled: false,
        actions: undefined,
      });
    }
  });

  test('replica-lag alarms exist only with replicas', () => {
    const lag = (names: string[]) => names.filter((name) => /ReplicaLag|ReplicationLag/.test(name)).sort();
    expect(lag(Object.keys(build({ topics: false, replicas: false }).byName))).toEqual([]);
    expect(lag(Object.keys(build({ topics: false, replicas: true }).byName))).toEqual([
      'shop-prod-Cache-ReplicationLag',
      'shop-prod-Database-ReplicaLag',
    ]);
  });

  test('the deployment-rollback composite watches every rollback alarm of the service', () => {
    const { byName, rollbackAlarms } = build({ topics: true, replicas: false });
    const rule = JSON.stringify(byName['shop-prod-Web-DeploymentRollback']?.AlarmRule);
    expect(rollbackAlarms).toHaveLength(2);
    expect(rule.match(/ALARM\(/g)).toHaveLength(2);
    for (const alarm of rollbackAlarms) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  test('application errors: a metric filter count above the threshold notifies', () => {
    const { byName, notifications } = build({ topics: true, replicas: false });
    const alarm = byName['shop-prod-Web-ApplicationErrors'];
    expect(alarm?.Threshold).toBe(10);
    expect(JSON.stringify(alarm)).toContain('"MetricName":"ApplicationErrors"');
    expect(alarm?.AlarmActions).toEqual([{ Ref: notifications }]);
  });

  test('additional user-facing alarms join the service-degraded composite, which pages once for all', () => {
    const rule = (extra: boolean) =>
      JSON.stringify(
        build({ topics: true, replicas: false, extra }).byName['shop-prod-Web-ServiceDegraded']?.AlarmRule,
      );
    expect(rule(false).match(/ALARM\(/g)).toHaveLength(4);
    expect(rule(true).match(/ALARM\(/g)).toHaveLength(5);
    expect(rule(true)).toContain('Outside');
    expect(rule(false)).not.toContain('Outside');
  });

  test('the site check: two failed runs page through the composite; no run for an hour notifies', () => {
    const { byName, notifications, paging } = build({ topics: true, replicas: false, siteCheck: true });
    const failed = byName['shop-prod-Web-SiteCheck'];
    expect(failed).toMatchObject({
      Threshold: 100,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
    expect(JSON.stringify(byName['shop-prod-Web-ServiceDegraded']?.AlarmRule)).toContain('WebSiteCheck');
    expect(byName['shop-prod-Web-ServiceDegraded']?.AlarmActions).toEqual([{ Ref: paging }]);
    const stopped = byName['shop-prod-Web-SiteCheckStopped'];
    expect(stopped).toMatchObject({
      Threshold: 1,
      TreatMissingData: 'breaching',
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(stopped?.AlarmActions).toEqual([{ Ref: notifications }]);
    expect(JSON.stringify(byName['shop-prod-Web-ServiceDegraded']?.AlarmRule)).not.toContain('SiteCheckStopped');
  });
});
