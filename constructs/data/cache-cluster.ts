import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import { ValidationError } from '../shared/errors';
import { known, throwOnProblems } from '../shared/problems';
import { cacheClusterProblems } from './cache-rules';
import { acrossMembers } from './metrics';

/** Cache engines ElastiCache offers with the same protocol. */
export enum CacheEngine {
  /** Redis OSS. */
  REDIS = 'redis',
  /** Valkey, the open-source fork of Redis OSS; cheaper per node-hour. */
  VALKEY = 'valkey',
}

/**
 * A Redis OSS or Valkey cache as the layers above see it: endpoint, application user, access and
 * metrics, whatever the nodes behind it.
 *
 * ElastiCache publishes its metrics per node (`AWS/ElastiCache`, dimension `CacheClusterId`: each
 * node of a replication group is a member cluster named `<replicationGroupId>-001`,
 * `<replicationGroupId>-002`... without cluster mode, `<replicationGroupId>-0001-001`... with it;
 * there is no replication-group dimension). The metric methods therefore return one time series
 * over all nodes: the node's own metric for a single node, else a math expression that takes the
 * largest value (utilization, memory, lag) or the sum (evictions, connections). `props` are split
 * by `splitMetricOptions` with `alike` members: `statistic`, `unit`, `account` and `region` go on
 * each node's metric, `label`, `color`, `period` and `visible` on the expression.
 *
 * CloudWatch alarms accept at most 10 metrics in an expression (aws-cdk-lib's `Alarm` refuses
 * more): alarm on these only for groups of up to 10 nodes. Over more nodes the metrics still serve
 * graphs, and asking for one adds the construct warning `TOO_MANY_MEMBERS_WARNING`.
 */
export interface ICacheCluster extends IConstruct, ec2.IConnectable {
  /** Host name clients connect to. */
  readonly endpoint: string;
  /** TCP port of the endpoint. */
  readonly port: number;
  /** Whether clients must use the cluster protocol. */
  readonly clusterMode: boolean;
  /**
   * Identifier of the replication group: the "host" an IAM authentication token is signed for
   * (`http://<replicationGroupId>/?Action=connect&User=<username>`), not the endpoint.
   */
  readonly replicationGroupId: string;
  /** Name (and ID) of the application user, which authenticates with IAM: no password exists. */
  readonly username: string;

  /** Lets `peer` reach the cache on its port. */
  allowFrom(peer: ec2.IConnectable, description?: string): void;

  /**
   * Lets `grantee` connect as the application user with an IAM authentication token:
   * `elasticache:Connect` on the replication group and that user only.
   */
  grantConnect(grantee: iam.IGrantable): iam.Grant;

  /**
   * The percentage of CPU utilization of the whole host, of the busiest node.
   *
   * @default - average over 5 minutes
   */
  metricCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The percentage of CPU utilization of the engine thread, of the busiest node.
   *
   * @default - average over 5 minutes
   */
  metricEngineCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The percentage of the memory available to data that is in use, of the fullest node.
   *
   * @default - average over 5 minutes
   */
  metricDatabaseMemoryUsagePercentage(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The number of keys evicted for lack of memory, summed over all nodes.
   *
   * @default - sum over 5 minutes
   */
  metricEvictions(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * How far the replicas lag behind their primary, in seconds: the largest lag of any replica.
   * Throws when there are no replicas (only replicas publish `ReplicationLag`).
   *
   * @default - maximum over 5 minutes
   */
  metricReplicationLag(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * The number of client connections, summed over all nodes.
   *
   * @default - average over 5 minutes
   */
  metricCurrConnections(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

/** Properties of a {@link CacheCluster}. */
export interface CacheClusterProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;

  /** Subnets of the cache nodes: the isolated tier. */
  readonly subnets: ec2.SubnetSelection;

  /** Identifier of the replication group, e.g. `shop-prod`. Lowercase, at most 40 characters. */
  readonly replicationGroupId: string;

  /**
   * Encrypts data at rest, snapshots and the secret of the Valkey default user's (never used)
   * password.
   *
   * The construct adds nothing to the key policy, so the policy must let principals of this account
   * use the key through ElastiCache and Secrets Manager: `kms:Encrypt`, `kms:Decrypt`,
   * `kms:ReEncrypt*`, `kms:GenerateDataKey*`, `kms:DescribeKey` and `kms:CreateGrant` (ElastiCache
   * keeps grants on the key for the nodes), under `kms:ViaService`
   * `elasticache.<region>.amazonaws.com` and `secretsmanager.<region>.amazonaws.com`. ElastiCache
   * (data at rest, snapshots) and CloudFormation resolving that password use the key through these
   * two services; their identity policies carry the rest. An `EncryptionKey` with
   * `viaServices: CacheCluster.ENCRYPTION_KEY_SERVICES` (`['elasticache', 'secretsmanager']`)
   * allows exactly this; so does the default policy of a `kms.Key`, which admits the whole account.
   */
  readonly encryptionKey: kms.IKey;

  /** Encrypts the slow and engine log groups; must allow CloudWatch Logs. */
  readonly logEncryptionKey: kms.IKey;

  /**
   * Engine.
   *
   * @default CacheEngine.REDIS
   */
  readonly engine?: CacheEngine;

  /**
   * Engine version, `<major>.<minor>`: Redis OSS 7.0 to 7.1, or Valkey 7.2 and later (the versions
   * with IAM authentication, which the application user always uses).
   *
   * @default - '7.1' for Redis OSS, '8.0' for Valkey
   */
  readonly engineVersion?: string;

  /**
   * Node type.
   *
   * @default 'cache.t4g.small'
   */
  readonly nodeType?: string;

  /**
   * Shard the data over `shards` node groups (cluster mode). Clients must speak the cluster protocol.
   *
   * @default false
   */
  readonly clusterMode?: boolean;

  /**
   * Node groups; more than 1 needs cluster mode.
   *
   * @default 1
   */
  readonly shards?: number;

  /**
   * Replicas per shard, 0 to 5.
   *
   * @default 1
   */
  readonly replicasPerShard?: number;

  /**
   * Automatic failover to a replica in another AZ; needs at least one replica per shard.
   *
   * @default true
   */
  readonly multiAz?: boolean;

  /**
   * Daily snapshots kept, in days; 0 turns them off.
   *
   * @default 7
   */
  readonly snapshotRetentionDays?: number;

  /**
   * Retention of the slow and engine logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the replication group when it leaves the stack; `SNAPSHOT` keeps a final
   * snapshot. The default user's password secret and the log groups are retained unless this is
   * `DESTROY`.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Props with every default applied: the one place defaults are written. */
type ResolvedCacheClusterProps = Required<CacheClusterProps>;

function resolveCacheClusterProps(props: CacheClusterProps): ResolvedCacheClusterProps {
  return {
    ...props,
    engine: props.engine ?? CacheEngine.REDIS,
    engineVersion: props.engineVersion ?? DEFAULT_ENGINE_VERSIONS[props.engine ?? CacheEngine.REDIS],
    nodeType: props.nodeType ?? 'cache.t4g.small',
    clusterMode: props.clusterMode ?? false,
    shards: props.shards ?? 1,
    replicasPerShard: props.replicasPerShard ?? 1,
    multiAz: props.multiAz ?? true,
    snapshotRetentionDays: props.snapshotRetentionDays ?? 7,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
  };
}

const PORT = 6379;

// ElastiCache passwords are printable ASCII without spaces, '@', '"' or '/'; the rest keeps
// connection strings and shell quoting simple. Only the disabled Valkey default user has one.
const PASSWORD_EXCLUDED_CHARACTERS = ' @"/\\\'`%&*()[]{}<>|;:,?!=+#$^~';

/** The default version of each engine. */
const DEFAULT_ENGINE_VERSIONS: Readonly<Record<CacheEngine, string>> = {
  [CacheEngine.REDIS]: '7.1',
  [CacheEngine.VALKEY]: '8.0',
};

/**
 * An ElastiCache replication group (Redis OSS or Valkey) on the L1 resources, since there is no L2:
 *
 * - in the given (isolated) subnets, behind a security group that admits only clients let in with
 *   {@link allowFrom} (no CIDR rules);
 * - TLS required in transit, encryption at rest with a customer-managed key;
 * - role-based access control with IAM authentication: the application user has no password at
 *   all; clients present a 15-minute IAM token (see {@link grantConnect}); the mandatory `default`
 *   user is switched off;
 * - Multi-AZ with automatic failover, cluster mode selectable, daily snapshots;
 * - slow and engine logs delivered as JSON to encrypted CloudWatch log groups.
 */
export class CacheCluster extends Construct implements ICacheCluster {
  /**
   * The services through which principals of the account must be able to use `encryptionKey`: pass
   * them as `EncryptionKey`'s `viaServices`.
   */
  public static readonly ENCRYPTION_KEY_SERVICES: readonly string[] = ['elasticache', 'secretsmanager'];

  /** The replication group. */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** Host name clients connect to: the primary endpoint, or the configuration endpoint in cluster mode. */
  public readonly endpoint: string;
  /** TCP port of the endpoint. */
  public readonly port = PORT;
  /**
   * Name of the application user, equal to its user ID (IAM authentication requires both to be the
   * same): `<replicationGroupId>-app-iam`.
   */
  public readonly username: string;
  /**
   * Identifier of the replication group: the "host" an IAM authentication token is signed for
   * (`http://<replicationGroupId>/?Action=connect&User=<username>`, presigned with SigV4 for the
   * service `elasticache`), not the endpoint.
   */
  public readonly replicationGroupId: string;
  /** Whether clients must use the cluster protocol. */
  public readonly clusterMode: boolean;
  /** Where clients must be allowed in. */
  public readonly connections: ec2.Connections;
  private readonly appUser: elasticache.CfnUser;
  private readonly layout: Pick<ResolvedCacheClusterProps, 'replicationGroupId' | 'shards' | 'replicasPerShard'>;

  constructor(scope: Construct, id: string, props: CacheClusterProps) {
    super(scope, id);
    const p = resolveCacheClusterProps(props);
    throwOnProblems(
      this,
      cacheClusterProblems({
        replicationGroupId: p.replicationGroupId,
        engine: p.engine,
        engineVersion: p.engineVersion,
        clusterMode: p.clusterMode,
        shards: p.shards,
        replicasPerShard: p.replicasPerShard,
        multiAz: p.multiAz,
        snapshotRetentionDays: p.snapshotRetentionDays,
      }),
    );
    // The secret and logs hold or describe data: kept unless the replication group is disposable.
    // Retained except when the stack's first create rolls back: a retained leftover with a fixed name
    // (a replica identifier, an RDS log group) would make every retry of that create fail.
    const retainedUnlessDestroyed =
      p.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.clusterMode = p.clusterMode;
    this.replicationGroupId = p.replicationGroupId;
    this.layout = { replicationGroupId: p.replicationGroupId, shards: p.shards, replicasPerShard: p.replicasPerShard };

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: p.vpc,
      description: `${p.replicationGroupId} cache: only explicitly allowed clients`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(PORT) });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `${p.replicationGroupId} cache subnets`,
      subnetIds: p.vpc.selectSubnets(p.subnets).subnetIds,
    });

    // A new user ID (the password user was `<id>-app`, named "app"): the user name of an IAM user
    // must equal its ID, a UserName change replaces the user, and CloudFormation creates the
    // replacement before deleting the old one, so reusing the old ID would collide.
    this.username = `${p.replicationGroupId}-app-iam`;

    // Role-based access control. A user group holds a user named "default", whom clients that never
    // authenticate act as; ours is switched off ("off" refuses every login), so only the application
    // user can connect. A Redis OSS group must contain it, and it may be passwordless. A Valkey group
    // admits only users with a password or IAM authentication (ElastiCache's RBAC guide), so the
    // Valkey default user gets a random password that nobody is ever given: a user group of that
    // shape is what the AWS provider's Valkey acceptance test creates.
    const access = new Construct(this, 'Access');
    const defaultUser = new elasticache.CfnUser(access, 'DefaultUser', {
      userId: `${p.replicationGroupId}-default`,
      userName: 'default',
      engine: p.engine,
      accessString: 'off -@all',
      authenticationMode:
        p.engine === CacheEngine.VALKEY
          ? {
              Type: 'password',
              Passwords: [this.unusedPassword(access, p).secretValueFromJson('password').unsafeUnwrap()],
            }
          : { Type: 'no-password-required' },
    });
    // IAM authentication (ElastiCache User Guide, "Authenticating with IAM", Limitations): Redis OSS
    // 7.0+ or Valkey 7.2+, TLS in transit (always on here), user name equal to user ID; a token is
    // valid for 15 minutes and only at AUTH/HELLO, and ElastiCache closes an IAM-authenticated
    // connection after 12 hours unless the client re-authenticates on it with a fresh token. No
    // password exists for the application, so there is nothing to leak or rotate.
    const appUser = new elasticache.CfnUser(access, 'AppUser', {
      userId: this.username,
      userName: this.username,
      engine: p.engine,
      // Everything but administrative and dangerous commands.
      accessString: 'on ~* &* +@all -@admin -@dangerous',
      authenticationMode: { Type: 'iam' },
    });
    this.appUser = appUser;
    const userGroup = new elasticache.CfnUserGroup(access, 'UserGroup', {
      userGroupId: `${p.replicationGroupId}-users`,
      engine: p.engine,
      userIds: [defaultUser.ref, appUser.ref],
    });

    const logGroups = new Construct(this, 'Logs');
    const logDelivery = (logType: 'slow-log' | 'engine-log', logId: string) => {
      const logGroup = new logs.LogGroup(logGroups, logId, {
        encryptionKey: p.logEncryptionKey,
        retention: p.logRetention,
        removalPolicy: retainedUnlessDestroyed,
      });
      return {
        logType,
        logFormat: 'json',
        destinationType: 'cloudwatch-logs',
        destinationDetails: { cloudWatchLogsDetails: { logGroup: logGroup.logGroupName } },
      };
    };

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', {
      replicationGroupId: p.replicationGroupId,
      replicationGroupDescription: `${p.replicationGroupId} ${p.engine} cache`,
      engine: p.engine,
      engineVersion: p.engineVersion,
      cacheNodeType: p.nodeType,
      port: PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      clusterMode: p.clusterMode ? 'enabled' : 'disabled',
      numNodeGroups: p.shards,
      replicasPerNodeGroup: p.replicasPerShard,
      multiAzEnabled: p.multiAz,
      // Cluster mode always fails over automatically; without it, failover comes with Multi-AZ.
      automaticFailoverEnabled: p.multiAz || p.clusterMode,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      kmsKeyId: p.encryptionKey.keyArn,
      userGroupIds: [userGroup.ref],
      autoMinorVersionUpgrade: true,
      snapshotRetentionLimit: p.snapshotRetentionDays,
      logDeliveryConfigurations: [logDelivery('slow-log', 'Slow'), logDelivery('engine-log', 'Engine')],
    });
    this.replicationGroup.applyRemovalPolicy(p.removalPolicy);

    this.endpoint = p.clusterMode
      ? this.replicationGroup.attrConfigurationEndPointAddress
      : this.replicationGroup.attrPrimaryEndPointAddress;
  }

  /**
   * A generated password for a user that is switched off: kept in Secrets Manager only so that it
   * never appears in the template (CloudFormation resolves it). No grant reads it.
   */
  private unusedPassword(scope: Construct, p: ResolvedCacheClusterProps): secretsmanager.ISecret {
    const secret = new secretsmanager.Secret(scope, 'DefaultUserPassword', {
      description: `Password of the disabled default user of the ${p.replicationGroupId} cache; never used`,
      encryptionKey: p.encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'default' }),
        generateStringKey: 'password',
        passwordLength: 64,
        excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
      },
    });
    secret.applyRemovalPolicy(
      p.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    );
    return secret;
  }

  /**
   * Lets `peer` reach the cache on its port. The rules are created from the peer's side, so they
   * live in the peer's stack and never make this stack depend on a consumer.
   */
  public allowFrom(peer: ec2.IConnectable, description = 'Cache client'): void {
    peer.connections.allowTo(this, ec2.Port.tcp(PORT), description);
  }

  /**
   * Lets `grantee` connect as the application user with an IAM authentication token:
   * `elasticache:Connect` on `replicationgroup:<replicationGroupId>` and `user:<username>`, both of
   * which ElastiCache requires, and nothing else (the default user stays out of reach). Works
   * across stacks: only the grantee's policy changes.
   */
  public grantConnect(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const arn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'elasticache', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['elasticache:Connect'],
      resourceArns: [arn('replicationgroup', this.replicationGroup.ref), arn('user', this.appUser.ref)],
    });
  }

  /**
   * The percentage of CPU utilization of the whole host (`AWS/ElastiCache` `CPUUtilization`), of the
   * busiest node. Redis OSS and Valkey run commands on one thread: on nodes with 4 vCPUs or more,
   * watch {@link metricEngineCPUUtilization} instead.
   *
   * @default - average over 5 minutes
   */
  public metricCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.nodeMetric('MAX', 'CPUUtilization', 'Average', props);
  }

  /**
   * The percentage of CPU utilization of the engine thread (`AWS/ElastiCache`
   * `EngineCPUUtilization`), of the busiest node.
   *
   * @default - average over 5 minutes
   */
  public metricEngineCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.nodeMetric('MAX', 'EngineCPUUtilization', 'Average', props);
  }

  /**
   * The percentage of the memory available to data that is in use (`AWS/ElastiCache`
   * `DatabaseMemoryUsagePercentage`), of the fullest node. Evictions start near 100.
   *
   * @default - average over 5 minutes
   */
  public metricDatabaseMemoryUsagePercentage(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.nodeMetric('MAX', 'DatabaseMemoryUsagePercentage', 'Average', props);
  }

  /**
   * The number of keys evicted for lack of memory (`AWS/ElastiCache` `Evictions`), summed over all
   * nodes.
   *
   * @default - sum over 5 minutes
   */
  public metricEvictions(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.nodeMetric('SUM', 'Evictions', 'Sum', props);
  }

  /**
   * How far the replicas lag behind their primary, in seconds (`AWS/ElastiCache` `ReplicationLag`):
   * the largest lag of any replica. Only nodes that currently are replicas publish it, so after a
   * failover the expression follows the new replicas by itself.
   *
   * Throws a `ValidationError` when `replicasPerShard` is 0: no node would ever publish it, and an
   * alarm on it would stay in INSUFFICIENT_DATA instead of guarding anything.
   *
   * @default - maximum over 5 minutes
   */
  public metricReplicationLag(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    if (known(this.layout.replicasPerShard) && this.layout.replicasPerShard === 0) {
      throw new ValidationError(
        this,
        'metricReplicationLag: replicasPerShard is 0, and only replicas publish ReplicationLag; ask for it only where there are replicas',
      );
    }
    return this.nodeMetric('MAX', 'ReplicationLag', 'Maximum', props);
  }

  /**
   * The number of client connections (`AWS/ElastiCache` `CurrConnections`), summed over all nodes:
   * each node's average over the period, added up.
   *
   * @default - average over 5 minutes
   */
  public metricCurrConnections(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.nodeMetric('SUM', 'CurrConnections', 'Average', props);
  }

  /** `metricName` of every node, as one series: see {@link ICacheCluster} for the dimensions. */
  private nodeMetric(
    aggregation: 'MAX' | 'SUM',
    metricName: string,
    statistic: string,
    props?: cloudwatch.MetricOptions,
  ): cloudwatch.IMetric {
    return acrossMembers(
      this,
      aggregation,
      this.memberClusterIds(),
      (cacheClusterId, options) =>
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName,
          dimensionsMap: { CacheClusterId: cacheClusterId },
          statistic,
          ...options,
        }).attachTo(this),
      props,
      `${metricName} (${aggregation === 'MAX' ? 'largest' : 'sum'} over nodes)`,
    );
  }

  /**
   * Identifiers of the member clusters (one node each) ElastiCache creates for the group:
   * `<id>-001`, `<id>-002`... without cluster mode; `<id>-0001-001`, `<id>-0001-002`, `<id>-0002-001`...
   * with it (shard, then node).
   */
  private memberClusterIds(): string[] {
    const { replicationGroupId: id, shards, replicasPerShard } = this.layout;
    if (!known(shards, replicasPerShard)) {
      throw new ValidationError(
        this,
        'cache metrics need shards and replicasPerShard known at synthesis time to name the nodes',
      );
    }
    const nodes = (shard: number) =>
      Array.from({ length: replicasPerShard + 1 }, (_, node) => String(node + 1).padStart(3, '0')).map((node) =>
        this.clusterMode ? `${id}-${String(shard).padStart(4, '0')}-${node}` : `${id}-${node}`,
      );
    return Array.from({ length: shards }, (_, shard) => nodes(shard + 1)).flat();
  }
}
