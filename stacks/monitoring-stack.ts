import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import {
  AlarmTopic,
  CostGuard,
  ServiceAlarms,
  ServiceDashboard,
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
 * The monitoring layer of one environment in its home region: the alarm topics and the alarms of
 * the web service, database and cache. It reads their metrics' dimensions through weak cross-stack
 * references, so it deploys after the compute and data stacks and locks neither. Composite alarms
 * page; the rest notify (see `ServiceAlarms`).
 */
export class MonitoringStack extends EnvironmentStack {
  public readonly topics: AlarmTopics;
  public readonly alarms: ServiceAlarms;
  private readonly layers: Pick<
    MonitoringStackProps,
    'name' | 'web' | 'database' | 'databaseReplicas' | 'cache' | 'cacheReplicas'
  >;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.topics = createAlarmTopics(this, props);
    const act = props.recipients.paging;
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      alarmNamePrefix: props.name,
      web: props.web,
      minTasks: props.minTasks,
      database: props.database,
      databaseReplicas: props.databaseReplicas,
      cache: props.cache,
      cacheReplicas: props.cacheReplicas,
      thresholds: props.thresholds,
      notificationTopic: act ? this.topics.notifications.topic : undefined,
      pagingTopic: act ? this.topics.paging.topic : undefined,
    });
    this.layers = props;
    // Cost alerts go where component alarms go: the notification topic (silent in dev).
    new CostGuard(this, 'Cost', {
      name: props.name,
      monthlyLimitUsd: props.monthlyBudgetUsd,
      costAllocationTag: { key: 'Environment', value: props.environmentTag },
      topic: this.topics.notifications.topic,
      topicKey: this.topics.key,
    });
  }

  /**
   * The environment's dashboard: the golden signals of every layer in the order a request travels,
   * the edge's (us-east-1) included, with this region's alarms at the top. Called once the edge
   * stack exists, which is created after this one.
   */
  public addDashboard(
    edge: Pick<ServiceDashboardProps, 'distribution' | 'webAcl' | 'distributionOriginLatency'>,
  ): ServiceDashboard {
    const { name, web, database, databaseReplicas, cache, cacheReplicas } = this.layers;
    return new ServiceDashboard(this, 'Dashboard', {
      dashboardName: name,
      ...edge,
      service: web,
      database,
      databaseReplicaLag: databaseReplicas,
      cache,
      cacheReplicationLag: cacheReplicas,
      alarms: [this.alarms.serviceDegraded, ...this.alarms.userFacingAlarms],
    });
  }
}
