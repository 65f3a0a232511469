import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { RecoveryPlan } from '../constructs/backup';
import {
  AlarmTopic,
  BackupAlarms,
  CostGuard,
  ServiceAlarms,
  ServiceDashboard,
  ServiceLevelIndicator,
  ServiceLevelObjective,
  SyntheticCheck,
  type ServiceDashboardProps,
  type AlarmTopicSlackChannel,
  type ServiceAlarmsProps,
} from '../constructs/observability';
import { EncryptionKey } from '../constructs/security';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';

/** Who the alarms of a region reach. */
export interface AlarmRecipientsProps {
  /**
   * Whether alarms act. Without it the topics exist but have no subscriptions, and alarms have no
   * actions: they record their states and tell nobody.
   */
  readonly paging: boolean;
  /** Addresses subscribed to both topics where `paging` is on. */
  readonly emails: readonly string[];
  /**
   * Slack channel subscribed to both topics where `paging` is on.
   *
   * @default - none
   */
  readonly slack?: AlarmTopicSlackChannel;
}

/**
 * Properties of a {@link MonitoringStack}: the web service (compute stack), the database and cache
 * (data stack) and the thresholds, as `ServiceAlarms` takes them.
 */
export interface MonitoringStackProps
  extends
    EnvironmentStackProps,
    Pick<
      ServiceAlarmsProps,
      'web' | 'minTasks' | 'database' | 'databaseReplicas' | 'cache' | 'cacheReplicas' | 'thresholds'
    > {
  /** Name prefix of topics and alarms, e.g. `learning-assistant-prod`. */
  readonly name: string;
  /** Who the alarms reach. */
  readonly recipients: AlarmRecipientsProps;
  /** Monthly cost budget in USD, on the `Environment` cost allocation tag. */
  readonly monthlyBudgetUsd: number;
  /** The environment's value of the `Environment` tag. */
  readonly environmentTag: string;
  /** Removal of the topics' key. */
  readonly removalPolicy: RemovalPolicy;
  /** Administrators of the topics' key (`EncryptionKey.administrators`). */
  readonly keyAdministrators: iam.IPrincipal[];
  /** The edge's metrics, for the dashboard (cross-region widgets). */
  readonly edge: Pick<ServiceDashboardProps, 'distribution' | 'webAcl' | 'distributionOriginLatency'>;
  /** The service level objectives on the load balancer. */
  readonly slo: ServiceLevelObjectivesProps;
  /**
   * An outside-in check of the public site, whose failure pages with the service-degraded alarm.
   *
   * @default - none
   */
  readonly syntheticCheck?: SyntheticCheckSettings;
  /**
   * The data layer's backup plan, whose failed, expired and (where it copies) failed copy jobs notify.
   *
   * @default - no backup plan: no backup alarms
   */
  readonly backupPlan?: RecoveryPlan;
}

/** Objectives of the web service, measured at its load balancer over 30 days. */
export interface ServiceLevelObjectivesProps {
  /** Percentage of requests answered without a 5xx. */
  readonly availabilityPercent: number;
  /** Requests answered within this many milliseconds are fast. */
  readonly latencyThresholdMs: number;
  /** Percentage of requests that must be fast. */
  readonly latencyPercent: number;
  /** Requests per hour a burn-rate window needs to be judged (scaled to the window). */
  readonly minimumRequestsPerHour: number;
}

/** The canary of the public site. */
export interface SyntheticCheckSettings {
  /** Name of the canary: at most 21 characters of `a-z`, `0-9`, `_` and `-`, unique in the region. */
  readonly canaryName: string;
  /** The site's public URL, e.g. `https://www.example.com`. */
  readonly baseUrl: string;
  /** Minutes between runs. */
  readonly rateMinutes: number;
  /** Retention of its logs and run artifacts. */
  readonly logRetention: logs.RetentionDays;
}

/** The two alarm topics of a region, sharing one key. */
export interface AlarmTopics {
  /** The key both topics are encrypted with. */
  readonly key: EncryptionKey;
  /** Where composite alarms over user-facing signals page. */
  readonly paging: AlarmTopic;
  /** Where component alarms notify. */
  readonly notifications: AlarmTopic;
}

/**
 * Creates the paging and notification topics of one region, encrypted with one key, subscribed to
 * the recipients where paging is on.
 */
export function createAlarmTopics(
  scope: Construct,
  props: Pick<MonitoringStackProps, 'name' | 'recipients' | 'removalPolicy' | 'keyAdministrators'>,
): AlarmTopics {
  const key = new EncryptionKey(scope, 'AlarmsKey', {
    description: `Alarm topics of ${props.name}`,
    alias: `alias/${props.name}/alarms`,
    removalPolicy: props.removalPolicy,
    administrators: props.keyAdministrators,
  });
  const { paging, emails, slack } = props.recipients;
  const subscribers = paging ? { emails, slack } : {};
  return {
    key,
    paging: new AlarmTopic(scope, 'Paging', { topicName: `${props.name}-paging`, encryptionKey: key, ...subscribers }),
    notifications: new AlarmTopic(scope, 'Notifications', {
      topicName: `${props.name}-notifications`,
      encryptionKey: key,
      ...subscribers,
    }),
  };
}

/**
 * The monitoring layer of one environment in its home region: the alarm topics, the alarms of the
 * web service, database and cache, the service level objectives and their burn-rate alarms, the
 * canary of the public site, the dashboard and the cost guard. It reads the other layers' metric
 * dimensions through weak cross-stack references (the edge's across regions), so it deploys after
 * them and locks none. Composite alarms page; the rest notify (see `ServiceAlarms`).
 */
export class MonitoringStack extends EnvironmentStack {
  public readonly topics: AlarmTopics;
  public readonly alarms: ServiceAlarms;
  public readonly availability: ServiceLevelObjective;
  public readonly latency: ServiceLevelObjective;
  public readonly syntheticCheck?: SyntheticCheck;
  public readonly dashboard: ServiceDashboard;
  public readonly backupAlarms?: BackupAlarms;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.topics = createAlarmTopics(this, props);
    const act = props.recipients.paging;
    const notificationTopic = act ? this.topics.notifications.topic : undefined;
    const pagingTopic = act ? this.topics.paging.topic : undefined;
    const { web } = props;

    if (props.backupPlan !== undefined) {
      this.backupAlarms = new BackupAlarms(this, 'BackupAlarms', {
        alarmNamePrefix: props.name,
        plan: props.backupPlan,
        copies: props.backupPlan.copyTo !== undefined,
        notificationTopic,
      });
    }

    // Fast burns join the service-degraded composite (one page per incident, not one per alarm);
    // slow burns notify: a ticket, not a page.
    const minimumValidEventsPerHour = props.slo.minimumRequestsPerHour;
    this.availability = new ServiceLevelObjective(this, 'Availability', {
      alarmNamePrefix: props.name,
      objectiveName: 'Availability',
      indicator: ServiceLevelIndicator.ratio({
        badEvents: web.metricServerErrorCount(),
        validEvents: web.metricRequestCount(),
        minimumValidEventsPerHour,
      }),
      objectivePercent: props.slo.availabilityPercent,
      notificationTopic,
    });
    this.latency = new ServiceLevelObjective(this, 'Latency', {
      alarmNamePrefix: props.name,
      objectiveName: 'Latency',
      indicator: ServiceLevelIndicator.latency({
        latency: web.metricTargetResponseTime(),
        threshold: Duration.millis(props.slo.latencyThresholdMs),
        minimumValidEventsPerHour,
      }),
      objectivePercent: props.slo.latencyPercent,
      notificationTopic,
    });

    const check = props.syntheticCheck;
    if (check !== undefined) {
      const key = new EncryptionKey(this, 'CanaryKey', {
        description: `Canary artifacts and logs of ${props.name}`,
        alias: `alias/${props.name}/canary`,
        removalPolicy: props.removalPolicy,
        administrators: props.keyAdministrators,
        viaServices: SyntheticCheck.ENCRYPTION_KEY_SERVICES,
        allowCloudWatchLogs: true,
      });
      this.syntheticCheck = new SyntheticCheck(this, 'Canary', {
        canaryName: check.canaryName,
        baseUrl: check.baseUrl,
        pagePaths: ['/'],
        apiPaths: ['/api/health'],
        // The health route answers 200 with "degraded" when the database or cache is down.
        apiBodyIncludes: '"status":"ok"',
        scheduleRateMinutes: check.rateMinutes,
        encryptionKey: key,
        logRetention: check.logRetention,
        removalPolicy: props.removalPolicy,
      });
    }

    this.alarms = new ServiceAlarms(this, 'Alarms', {
      alarmNamePrefix: props.name,
      web,
      minTasks: props.minTasks,
      database: props.database,
      databaseReplicas: props.databaseReplicas,
      cache: props.cache,
      cacheReplicas: props.cacheReplicas,
      thresholds: props.thresholds,
      notificationTopic,
      pagingTopic,
      additionalUserFacingAlarms: [this.availability.fastBurnAlarm, this.latency.fastBurnAlarm],
      siteCheckSuccessPercent: this.syntheticCheck?.metricSuccessPercent({
        period: Duration.minutes(check?.rateMinutes ?? 5),
      }),
      siteCheckRuns: this.syntheticCheck?.metricRuns(),
    });

    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      dashboardName: props.name,
      ...props.edge,
      service: web,
      database: props.database,
      databaseReplicaLag: props.databaseReplicas,
      cache: props.cache,
      cacheReplicationLag: props.cacheReplicas,
      alarms: [this.alarms.serviceDegraded, ...this.alarms.userFacingAlarms],
    });

    // Cost alerts go where component alarms go: the notification topic (silent in dev).
    new CostGuard(this, 'Cost', {
      name: props.name,
      monthlyLimitUsd: props.monthlyBudgetUsd,
      costAllocationTag: { key: 'Environment', value: props.environmentTag },
      topic: this.topics.notifications.topic,
      topicKey: this.topics.key,
    });
  }
}
