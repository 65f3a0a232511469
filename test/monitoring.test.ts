import type { EnvironmentName } from '../config';
import { committedConfigs, schemaMessages } from './support/config';
import { ENVIRONMENTS, resources, type Resource } from './support/synth';

const configs = committedConfigs();
const prefixOf = (environment: EnvironmentName) => `learning-assistant-${environment}`;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** `monitoring.paging`: staging and prod page, dev records silently. The first test pins this to config. */
const PAGING = { dev: false, staging: true, prod: true } as const;
/** Read replicas (database) and cache replicas: replica-lag alarms exist only with them. */
const REPLICAS = { dev: false, staging: true, prod: true } as const;
/** `monitoring.cloudFrontAdditionalMetrics`: the origin latency alarm exists only with them. */
const ADDITIONAL_METRICS = { dev: false, staging: true, prod: true } as const;
/** `monitoring.syntheticCheck.enabled`: the canary of the public site, staging and prod only. */
const SITE_CHECK = { dev: false, staging: true, prod: true } as const;
/** Burn rates and windows of the objectives' alarms (Google SRE workbook): fast pages, slow notifies. */
const BURNS = { FastBurn: { rate: 14.4, long: 3600, short: 300 }, SlowBurn: { rate: 6, long: 21600, short: 1800 } };

type Alarm = [string, Resource];

/** Alarms that act only through a composite: burn-rate windows and fast burns (see ServiceDegraded). */
const FEEDS_A_COMPOSITE = /-(Availability|Latency)-(FastBurn|FastBurnLong|FastBurnShort|SlowBurnLong|SlowBurnShort)$/;
const notificationsOf = (environment: EnvironmentName) => topicId(environment, 'Monitoring', 'Notifications');

function alarmsOf(environment: EnvironmentName, stackId: string): Alarm[] {
  return resources(environment, stackId, 'AWS::CloudWatch::Alarm');
}
function compositesOf(environment: EnvironmentName, stackId: string): Alarm[] {
  return resources(environment, stackId, 'AWS::CloudWatch::CompositeAlarm');
}
function named(alarms: Alarm[], suffix: string): Resource {
  const found = alarms.filter(([, alarm]) => String(alarm.Properties?.AlarmName).endsWith(`-${suffix}`));
  if (found.length !== 1) throw new Error(`${found.length} alarms named *-${suffix}`);
  return found[0]![1];
}
const nameOf = (alarm: Resource) => String(alarm.Properties?.AlarmName);
/** The logical ID of the topic an action list names (`{ Ref: <topic> }`). */
const topicsOf = (actions: unknown): string[] =>
  ((actions ?? []) as Array<{ Ref?: string }>).map((action) => action.Ref ?? JSON.stringify(action));
const topicId = (environment: EnvironmentName, stackId: string, construct: string) => {
  const [id] = resources(environment, stackId, 'AWS::SNS::Topic').find(([logicalId]) =>
    logicalId.startsWith(`${construct}Topic`),
  ) ?? [undefined];
  if (id === undefined) throw new Error(`no ${construct} topic in ${environment}/${stackId}`);
  return id;
};

test('the tables follow config', () => {
  for (const environment of ENVIRONMENTS) {
    const config = configs[environment];
    expect(config.monitoring.paging).toBe(PAGING[environment]);
    expect(config.database.readReplicas > 0).toBe(REPLICAS[environment]);
    expect(config.cache.replicasPerShard > 0).toBe(REPLICAS[environment]);
    expect(config.monitoring.cloudFrontAdditionalMetrics).toBe(ADDITIONAL_METRICS[environment]);
  }
});

describe('monitoring config', () => {
  test('e-mail addresses are validated', () => {
    expect(schemaMessages('monitoring.emails.0', (c) => (c.monitoring.emails = ['oncall']))).toEqual([
      'must be an e-mail address, e.g. oncall@example.com',
    ]);
  });

  test('paging with nobody to page is refused', () => {
    expect(schemaMessages('monitoring.emails', (c) => (c.monitoring.emails = []))).toEqual([
      'paging is on but nobody is subscribed: list at least one address (or set slack), or turn paging off',
    ]);
    expect(
      schemaMessages('monitoring.emails', (c) => {
        c.monitoring.emails = [];
        c.monitoring.slack = { workspaceId: 'T0123456789', channelId: 'C0123456789' };
      }),
    ).toEqual([]);
  });

  test('thresholds default where an environment leaves them out', () => {
    expect(configs.dev.monitoring.thresholds.web5xxPercent).toBe(5);
    expect(configs.prod.monitoring.thresholds.web5xxPercent).toBe(2);
  });
});

/** The window alarms of an objective: burn rate times the error budget, as a ratio. */
function burnThresholds(objective: string, percent: number): Record<string, number> {
  const budget = 1 - percent / 100;
  return Object.fromEntries(
    Object.entries(BURNS).flatMap(([burn, { rate }]) =>
      ['Long', 'Short'].map((window) => [`${objective}-${burn}${window}`, Number((rate * budget).toPrecision(12))]),
    ),
  );
}

describe.each(ENVIRONMENTS)('%s', (environment) => {
  const config = configs[environment];
  const t = config.monitoring.thresholds;
  const prefix = prefixOf(environment);
  const regional = alarmsOf(environment, 'Monitoring');
  const edge = alarmsOf(environment, 'Edge');

  test('the home region has the web, database, cache and anomaly alarms, with thresholds from config', () => {
    const expected: Record<string, number> = {
      'Web-5xxRate': t.web5xxPercent,
      'Web-LatencyP99': t.p99LatencyMs / 1000,
      'Web-UnhealthyHosts': 0,
      'Web-RunningTasks': config.compute.minTasks,
      'Web-Cpu': t.webCpuPercent,
      'Web-Memory': t.webMemoryPercent,
      'Web-ApplicationErrors': t.appErrors,
      'Database-Cpu': t.dbCpuPercent,
      'Database-FreeableMemory': t.dbFreeableMemoryMiB * MIB,
      'Database-FreeStorage': t.dbFreeStorageGiB * GIB,
      'Database-Connections': t.dbConnections,
      'Database-ProxyConnectionErrors': t.proxyConnectionErrors,
      'Cache-Cpu': t.cacheCpuPercent,
      'Cache-EngineCpu': t.cacheEngineCpuPercent,
      'Cache-Memory': t.cacheMemoryPercent,
      'Cache-Evictions': t.cacheEvictions,
      ...(REPLICAS[environment] && {
        'Database-ReplicaLag': t.replicaLagSeconds,
        'Cache-ReplicationLag': t.cacheReplicationLagSeconds,
      }),
      ...(SITE_CHECK[environment] && { 'Web-SiteCheck': 100, 'Web-SiteCheckStopped': 1 }),
      // One failed, expired or failed copy job is a missing recovery point.
      ...(config.backup.enabled && { 'Backup-JobsFailed': 1, 'Backup-JobsExpired': 1, 'Backup-CopyJobsFailed': 1 }),
      ...burnThresholds('Availability', config.monitoring.slo.availabilityPercent),
      ...burnThresholds('Latency', config.monitoring.slo.latencyPercent),
    };
    const thresholds = Object.fromEntries(
      regional
        .filter(([, alarm]) => alarm.Properties?.Threshold !== undefined)
        .map(([, alarm]) => [nameOf(alarm).slice(prefix.length + 1), alarm.Properties?.Threshold as number]),
    );
    expect(thresholds).toEqual(expected);
    // Lower bounds alarm below the threshold, the rest above it.
    for (const low of ['Web-RunningTasks', 'Database-FreeableMemory', 'Database-FreeStorage']) {
      expect(named(regional, low).Properties?.ComparisonOperator).toBe('LessThanThreshold');
    }
    expect(named(regional, 'Web-5xxRate').Properties?.ComparisonOperator).toBe('GreaterThanThreshold');
  });

  test('anomaly detection watches request count (both ways) and latency (upwards)', () => {
    const requests = named(regional, 'Web-RequestCountAnomaly');
    expect(requests.Properties?.ComparisonOperator).toBe('LessThanLowerOrGreaterThanUpperThreshold');
    expect(JSON.stringify(requests.Properties?.Metrics)).toContain(
      `ANOMALY_DETECTION_BAND(m0, ${t.anomalyStandardDeviations})`,
    );
    expect(named(regional, 'Web-LatencyAnomaly').Properties?.ComparisonOperator).toBe('GreaterThanUpperThreshold');
  });

  test('the edge alarms live in us-east-1, with thresholds from config', () => {
    const thresholds = Object.fromEntries(
      edge.map(([, alarm]) => [nameOf(alarm).slice(prefix.length + 1), alarm.Properties?.Threshold as number]),
    );
    expect(thresholds).toEqual({
      'Edge-CloudFront5xxRate': t.cloudFront5xxPercent,
      'Edge-WafBlockedSpike': t.wafBlockedPerFiveMinutes,
      ...(ADDITIONAL_METRICS[environment] && { 'Edge-OriginLatency': t.originLatencyMs }),
    });
    expect(resources(environment, 'Edge', 'AWS::CloudFront::MonitoringSubscription')).toHaveLength(
      ADDITIONAL_METRICS[environment] ? 1 : 0,
    );
  });

  test('the composite "service degraded" alarm covers exactly the user-facing alarms', () => {
    const composite = named(compositesOf(environment, 'Monitoring'), 'Web-ServiceDegraded');
    const rule = JSON.stringify(composite.Properties?.AlarmRule);
    const referenced = regional
      .filter(([logicalId]) => rule.includes(`"${logicalId}"`))
      .map(([, alarm]) => nameOf(alarm).slice(prefix.length + 1));
    const referencedComposites = compositesOf(environment, 'Monitoring')
      .filter(([logicalId]) => rule.includes(`"${logicalId}"`))
      .map(([, alarm]) => nameOf(alarm).slice(prefix.length + 1));
    expect(referenced.sort()).toEqual(
      [
        'Web-5xxRate',
        'Web-LatencyP99',
        'Web-RunningTasks',
        'Web-UnhealthyHosts',
        ...(SITE_CHECK[environment] ? ['Web-SiteCheck'] : []),
      ].sort(),
    );
    // A fast burn of either error budget pages here too: one page per incident.
    expect(referencedComposites.sort()).toEqual(['Availability-FastBurn', 'Latency-FastBurn']);
    // Any one of them in ALARM: ALARM(a) OR ALARM(b) OR ...
    const count = referenced.length + referencedComposites.length;
    expect(rule.match(/ALARM\(/g)).toHaveLength(count);
    expect(rule.match(/ OR /g)).toHaveLength(count - 1);
    expect(rule).not.toMatch(/ AND | NOT /);
  });

  test('the deployment-rollback alarms notify through a composite alarm, and keep no action of their own', () => {
    const composite = named(compositesOf(environment, 'Monitoring'), 'Web-DeploymentRollback');
    const rule = JSON.stringify(composite.Properties?.AlarmRule);
    const rollback = alarmsOf(environment, 'Compute');
    expect(rollback.length).toBeGreaterThan(0);
    for (const [, alarm] of rollback) {
      expect(alarm.Properties?.AlarmActions).toBeUndefined();
      expect(alarm.Properties?.OKActions).toBeUndefined();
    }
    // The rule reads each rollback alarm's ARN from the compute stack.
    expect(rule.match(/Fn::GetStackOutput/g)).toHaveLength(rollback.length);
  });

  test('topics are KMS-encrypted, and CloudWatch of this account alone may publish', () => {
    for (const stackId of ['Monitoring', 'Edge']) {
      const topics = resources(environment, stackId, 'AWS::SNS::Topic');
      expect(topics.length).toBe(stackId === 'Monitoring' ? 2 : 1);
      for (const [, topic] of topics) {
        expect(topic.Properties?.KmsMasterKeyId).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/^AlarmsKey/), 'Arn'],
        });
      }
      for (const [, policy] of resources(environment, stackId, 'AWS::SNS::TopicPolicy')) {
        const statements = policy.Properties?.PolicyDocument.Statement as Array<Record<string, any>>;
        const allows = statements.filter((statement) => statement.Effect === 'Allow');
        // CloudWatch alarms publish to every topic; Budgets and Cost Anomaly Detection also to the
        // home region's notification topic. Each only for this account.
        expect(allows.map((statement) => statement.Principal.Service)).toContain('cloudwatch.amazonaws.com');
        for (const statement of allows) {
          expect(['cloudwatch.amazonaws.com', 'budgets.amazonaws.com', 'costalerts.amazonaws.com']).toContain(
            statement.Principal.Service,
          );
          expect(statement.Condition.StringEquals).toEqual({ 'aws:SourceAccount': config.account });
        }
        expect(
          statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
        ).toBe(true);
      }
      const [[, key]] = resources(environment, stackId, 'AWS::KMS::Key').filter(([id]) =>
        id.startsWith('AlarmsKey'),
      ) as [Alarm];
      const cloudWatch = (key.Properties?.KeyPolicy.Statement as Array<Record<string, any>>).filter(
        (statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com',
      );
      expect(cloudWatch).toHaveLength(1);
      expect(cloudWatch[0]!.Condition.StringEquals).toEqual({ 'aws:SourceAccount': config.account });
    }
  });

  if (PAGING[environment]) {
    test('every alarm has alarm and OK actions: component alarms notify, the service-degraded alarm pages', () => {
      const notifications = topicId(environment, 'Monitoring', 'Notifications');
      const paging = topicId(environment, 'Monitoring', 'Paging');
      const all = [...regional, ...compositesOf(environment, 'Monitoring')].filter(
        ([, alarm]) => !FEEDS_A_COMPOSITE.test(nameOf(alarm)),
      );
      for (const [, alarm] of all) {
        const expected = nameOf(alarm).endsWith('-Web-ServiceDegraded') ? paging : notifications;
        expect([nameOf(alarm), alarm.Properties?.ActionsEnabled]).toEqual([nameOf(alarm), true]);
        expect([nameOf(alarm), topicsOf(alarm.Properties?.AlarmActions)]).toEqual([nameOf(alarm), [expected]]);
        expect([nameOf(alarm), topicsOf(alarm.Properties?.OKActions)]).toEqual([nameOf(alarm), [expected]]);
      }
      const edgeTopic = topicId(environment, 'Edge', 'Notifications');
      for (const [, alarm] of edge) {
        expect(topicsOf(alarm.Properties?.AlarmActions)).toEqual([edgeTopic]);
        expect(topicsOf(alarm.Properties?.OKActions)).toEqual([edgeTopic]);
      }
    });

    test('no alarm is silent: those without actions (burn windows, fast burns) feed a composite that has them', () => {
      const composites = compositesOf(environment, 'Monitoring');
      const withActions = (alarm: Resource) =>
        alarm.Properties?.ActionsEnabled === true && topicsOf(alarm.Properties?.AlarmActions).length > 0;
      // Which alarm (by logical ID) eventually reaches a topic, through composites that reference it.
      const reaches = (logicalId: string, seen = new Set<string>()): boolean =>
        composites.some(
          ([compositeId, composite]) =>
            !seen.has(compositeId) &&
            JSON.stringify(composite.Properties?.AlarmRule).includes(`"${logicalId}"`) &&
            (withActions(composite) || reaches(compositeId, new Set([...seen, compositeId]))),
        );
      const silent = [...regional, ...composites].filter(([, alarm]) => !withActions(alarm));
      expect(silent.map(([, alarm]) => nameOf(alarm).slice(prefix.length + 1)).sort()).toEqual(
        ['Availability', 'Latency']
          .flatMap((objective) => [
            `${objective}-FastBurn`,
            ...['FastBurnLong', 'FastBurnShort', 'SlowBurnLong', 'SlowBurnShort'].map((w) => `${objective}-${w}`),
          ])
          .sort(),
      );
      for (const [logicalId, alarm] of silent) {
        expect([nameOf(alarm), reaches(logicalId)]).toEqual([nameOf(alarm), true]);
      }
      // The slow burns notify: a ticket, not a page.
      for (const objective of ['Availability', 'Latency']) {
        const slow = named(composites, `${objective}-SlowBurn`);
        expect(topicsOf(slow.Properties?.AlarmActions)).toEqual([notificationsOf(environment)]);
      }
    });

    test('the configured addresses are subscribed to every topic', () => {
      for (const stackId of ['Monitoring', 'Edge']) {
        const endpoints = resources(environment, stackId, 'AWS::SNS::Subscription').map(
          ([, subscription]) => subscription.Properties?.Endpoint as string,
        );
        const topics = stackId === 'Monitoring' ? 2 : 1;
        expect(endpoints.sort()).toEqual(config.monitoring.emails.flatMap((email) => Array(topics).fill(email)).sort());
      }
    });
  } else {
    test('alarms record but stay silent: no actions, actions disabled, no subscriptions', () => {
      const all = [...regional, ...compositesOf(environment, 'Monitoring'), ...edge];
      expect(all.length).toBeGreaterThan(0);
      for (const [, alarm] of all) {
        expect([nameOf(alarm), alarm.Properties?.ActionsEnabled]).toEqual([nameOf(alarm), false]);
        expect(alarm.Properties?.AlarmActions).toBeUndefined();
        expect(alarm.Properties?.OKActions).toBeUndefined();
      }
      for (const stackId of ['Monitoring', 'Edge']) {
        expect(resources(environment, stackId, 'AWS::SNS::Subscription')).toHaveLength(0);
        expect(resources(environment, stackId, 'AWS::Chatbot::SlackChannelConfiguration')).toHaveLength(0);
      }
    });
  }
});

describe.each(ENVIRONMENTS)('%s dashboard', (environment) => {
  const dashboards = resources(environment, 'Monitoring', 'AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dashboards[0]?.[1].Properties?.DashboardBody);

  test('one dashboard, named for the environment, with the golden signals in the order a request travels', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.[1].Properties?.DashboardName).toBe(prefixOf(environment));
    const order = ['AWS/CloudFront', 'AWS/WAFV2', 'AWS/ApplicationELB', 'AWS/ECS', 'AWS/RDS', 'AWS/ElastiCache'];
    const positions = order.map((namespace) => body.indexOf(namespace));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test("the edge's widgets read us-east-1 (cross-region), the rest the home region", () => {
    expect(body).toContain('us-east-1');
    expect(body).toContain(configs[environment].region);
  });

  test('the alarm widget heads the dashboard, the service-degraded alarm first', () => {
    const widgetAt = body.indexOf('\\"type\\":\\"alarm\\"');
    expect(widgetAt).toBeGreaterThanOrEqual(0);
    expect(widgetAt).toBeLessThan(body.indexOf('AWS/CloudFront'));
    expect(body.indexOf('WebServiceDegraded')).toBeGreaterThan(widgetAt);
    expect(body.indexOf('WebServiceDegraded')).toBeLessThan(body.indexOf('Web5xxRate'));
  });
});

describe.each(ENVIRONMENTS)('%s cost alerts', (environment) => {
  const config = configs[environment];

  test('a monthly budget on the Environment tag, with the configured limit, alerting the notification topic', () => {
    const budgets = resources(environment, 'Monitoring', 'AWS::Budgets::Budget');
    expect(budgets).toHaveLength(1);
    const { Budget, NotificationsWithSubscribers } = budgets[0]![1].Properties as Record<string, any>;
    expect(Budget.BudgetLimit).toEqual({ Amount: config.monitoring.monthlyBudgetUsd, Unit: 'USD' });
    expect(Budget.TimeUnit).toBe('MONTHLY');
    expect(Budget.FilterExpression).toEqual({
      Tags: { Key: 'Environment', MatchOptions: ['EQUALS'], Values: [config.tags.Environment] },
    });
    const kinds = NotificationsWithSubscribers.map(
      (n: any) => `${n.Notification.NotificationType}:${n.Notification.Threshold}`,
    );
    expect(kinds.sort()).toEqual(['ACTUAL:100', 'ACTUAL:80', 'FORECASTED:100']);
    for (const notification of NotificationsWithSubscribers) {
      expect(JSON.stringify(notification.Subscribers)).toContain('Notifications');
    }
  });

  test('a Cost Anomaly Detection monitor scoped by the same tag, with an immediate subscription', () => {
    const monitors = resources(environment, 'Monitoring', 'AWS::CE::AnomalyMonitor');
    expect(monitors).toHaveLength(1);
    expect(monitors[0]![1].Properties?.MonitorType).toBe('CUSTOM');
    expect(String(monitors[0]![1].Properties?.MonitorSpecification)).toContain(config.tags.Environment);
    const subscriptions = resources(environment, 'Monitoring', 'AWS::CE::AnomalySubscription');
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]![1].Properties?.Frequency).toBe('IMMEDIATE');
  });
});

describe.each(ENVIRONMENTS)('%s objectives and site check', (environment) => {
  const config = configs[environment];
  const regional = alarmsOf(environment, 'Monitoring');
  const composites = compositesOf(environment, 'Monitoring');
  const expressionOf = (alarm: Resource) =>
    (alarm.Properties?.Metrics as Array<{ Expression?: string; ReturnData?: boolean }>).find((m) => m.ReturnData)
      ?.Expression;
  const statsOf = (alarm: Resource) =>
    (alarm.Properties?.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string }; Stat: string } }>)
      .filter((m) => m.MetricStat !== undefined)
      .map((m) => `${m.MetricStat!.Metric.MetricName}:${m.MetricStat!.Stat}`)
      .sort();

  test.each(Object.entries(BURNS))('%s: each window is one alarm period, long AND short in a composite', (burn, b) => {
    for (const objective of ['Availability', 'Latency']) {
      const long = named(regional, `${objective}-${burn}Long`);
      const short = named(regional, `${objective}-${burn}Short`);
      for (const [alarm, period] of [
        [long, b.long],
        [short, b.short],
      ] as const) {
        expect(alarm.Properties?.EvaluationPeriods).toBe(1);
        expect(alarm.Properties?.ComparisonOperator).toBe('GreaterThanThreshold');
        expect(alarm.Properties?.TreatMissingData).toBe('notBreaching');
        const periods = (alarm.Properties?.Metrics as Array<{ MetricStat?: { Period: number } }>)
          .filter((m) => m.MetricStat)
          .map((m) => m.MetricStat!.Period);
        expect(new Set(periods)).toEqual(new Set([period]));
      }
      const rule = JSON.stringify(named(composites, `${objective}-${burn}`).Properties?.AlarmRule);
      expect(rule).toMatch(/ AND /);
      expect(rule).not.toMatch(/ OR /);
    }
  });

  test('availability counts the 5xx of the tasks and of the load balancer among all requests, low traffic aside', () => {
    const alarm = named(regional, 'Availability-FastBurnShort');
    expect(expressionOf(alarm)).toBe(
      `IF(MAX([bad, valid]) >= ${Math.ceil(config.monitoring.slo.minimumRequestsPerHour / 12)}, bad / MAX([bad, valid]), 0)`,
    );
    expect(statsOf(alarm)).toEqual(['HTTPCode_ELB_5XX_Count:Sum', 'HTTPCode_Target_5XX_Count:Sum', 'RequestCount:Sum']);
  });

  test('latency counts the requests slower than the threshold (percentile rank)', () => {
    const alarm = named(regional, 'Latency-FastBurnLong');
    const seconds = config.monitoring.slo.latencyThresholdMs / 1000;
    expect(statsOf(alarm)).toEqual([`TargetResponseTime:PR(:${seconds})`, 'TargetResponseTime:SampleCount']);
    expect(expressionOf(alarm)).toMatch(/\(100 - fast\) \/ 100/);
  });

  test(`the site check ${SITE_CHECK[environment] ? 'loads the public URL and /api/health' : 'is off'}`, () => {
    const canaries = resources(environment, 'Monitoring', 'AWS::Synthetics::Canary');
    expect(canaries).toHaveLength(SITE_CHECK[environment] ? 1 : 0);
    if (!SITE_CHECK[environment]) return;
    const [[canaryId, canary]] = canaries as [Alarm];
    expect(canary.Properties).toMatchObject({
      Name: `la-${environment}-site`,
      StartCanaryAfterCreation: false,
      Schedule: { Expression: `rate(${config.monitoring.syntheticCheck.rateMinutes} minutes)` },
    });
    const variables = canary.Properties?.RunConfig.EnvironmentVariables;
    expect(variables.CHECK_BASE_URL).toBe(`https://${config.domain?.zoneName}`);
    expect(JSON.parse(variables.CHECK_PLAN)).toEqual([
      { kind: 'page', path: '/' },
      { kind: 'api', path: '/api/health', bodyIncludes: '"status":"ok"' },
    ]);
    // Its log group is ours, named as Synthetics names it, before the starter starts it.
    const [[groupId]] = resources(environment, 'Monitoring', 'AWS::Logs::LogGroup').filter(
      ([, group]) =>
        JSON.stringify(group.Properties?.LogGroupName) ===
        JSON.stringify({
          'Fn::Join': ['', [`/aws/lambda/cwsyn-la-${environment}-site-`, { 'Fn::GetAtt': [canaryId, 'Id'] }]],
        }),
    ) as [Alarm];
    const [[, starter]] = resources(environment, 'Monitoring', 'Custom::SyntheticsCanaryStarter') as [Alarm];
    expect(starter.DependsOn).toContain(groupId);
    const alarm = named(regional, 'Web-SiteCheck');
    expect(alarm.Properties).toMatchObject({ Threshold: 100, ComparisonOperator: 'LessThanThreshold' });
    expect(named(regional, 'Web-SiteCheckStopped').Properties).toMatchObject({
      Threshold: 1,
      TreatMissingData: 'breaching',
      Statistic: 'SampleCount',
      Period: 3600,
    });
  });
});

describe.each(ENVIRONMENTS)('%s log groups', (environment) => {
  test('every log group of every stack is encrypted with a key and has the retention of its layer', () => {
    const config = configs[environment];
    for (const stackId of ['Network', 'Data', 'Registry', 'Compute', 'Edge', 'Monitoring']) {
      for (const [id, group] of resources(environment, stackId, 'AWS::Logs::LogGroup')) {
        const retention = stackId === 'Network' ? config.network.flowLogRetentionDays : config.logRetentionDays;
        expect({
          stackId,
          id,
          key: group.Properties?.KmsKeyId !== undefined,
          days: group.Properties?.RetentionInDays,
        }).toEqual({
          stackId,
          id,
          key: true,
          days: retention,
        });
      }
    }
  });
});
