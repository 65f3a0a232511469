import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { CrossRegionReplica, type CrossRegionReplicaProps } from '../constructs/data';
import { Network, type NetworkProps } from '../constructs/network';
import { AlarmTopic, StandbyAlarms } from '../constructs/observability';
import { EncryptionKey } from '../constructs/security';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';
import type { AlarmRecipientsProps } from './monitoring-stack';

/** Properties of a {@link StandbyStack}. */
export interface StandbyStackProps extends EnvironmentStackProps {
  /** Name prefix of keys, aliases, topics and alarms, e.g. `learning-assistant-prod`. */
  readonly name: string;
  /** The standby network, without its flow-log key (the stack's log key). */
  readonly network: Omit<NetworkProps, 'flowLogEncryptionKey' | 'flowLogKeyAdministrators'>;
  /** The replica, without its network and keys. */
  readonly replica: Omit<CrossRegionReplicaProps, 'vpc' | 'subnets' | 'encryptionKey' | 'logEncryptionKey'>;
  /** Replica lag above which the standby alarms, in seconds. */
  readonly lagThresholdSeconds: number;
  /** Who the standby's alarms reach (a topic of this region: alarms act in their own region only). */
  readonly recipients: AlarmRecipientsProps;
  /** Removal of the keys. */
  readonly keyRemovalPolicy: RemovalPolicy;
  /** Administrators of the keys. */
  readonly keyAdministrators: iam.IPrincipal[];
}

/**
 * The database's standby in the disaster-recovery region, deployed after the data layer whose
 * primary it replicates: a network of its own (ready for compute to follow in a failover), the
 * cross-region replica with its own key, and its alarms with a topic of this region.
 */
export class StandbyStack extends EnvironmentStack {
  public readonly network: Network;
  public readonly replica: CrossRegionReplica;
  public readonly alarmTopic: AlarmTopic;

  constructor(scope: Construct, id: string, props: StandbyStackProps) {
    super(scope, id, props);
    const logKey = new EncryptionKey(this, 'LogKey', {
      description: `Logs of the standby of ${props.name}`,
      alias: `alias/${props.name}/standby-logs`,
      allowCloudWatchLogs: true,
      removalPolicy: props.keyRemovalPolicy,
      administrators: props.keyAdministrators,
    });
    const storageKey = new EncryptionKey(this, 'StorageKey', {
      description: `Standby database of ${props.name}`,
      alias: `alias/${props.name}/standby-database`,
      viaServices: ['rds'],
      removalPolicy: props.keyRemovalPolicy,
      administrators: props.keyAdministrators,
    });
    this.network = new Network(this, 'Network', { ...props.network, flowLogEncryptionKey: logKey });
    this.replica = new CrossRegionReplica(this, 'Database', {
      ...props.replica,
      vpc: this.network.vpc,
      subnets: this.network.databaseSubnets,
      encryptionKey: storageKey,
      logEncryptionKey: logKey,
    });

    const { paging, emails, slack } = props.recipients;
    const topicKey = new EncryptionKey(this, 'AlarmsKey', {
      description: `Standby alarm topic of ${props.name}`,
      alias: `alias/${props.name}/standby-alarms`,
      removalPolicy: props.keyRemovalPolicy,
      administrators: props.keyAdministrators,
    });
    this.alarmTopic = new AlarmTopic(this, 'Notifications', {
      topicName: `${props.name}-standby-notifications`,
      encryptionKey: topicKey,
      ...(paging ? { emails, slack } : {}),
    });
    new StandbyAlarms(this, 'Alarms', {
      alarmNamePrefix: props.name,
      replica: this.replica,
      lagThresholdSeconds: props.lagThresholdSeconds,
      notificationTopic: paging ? this.alarmTopic.topic : undefined,
    });
  }
}
