import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';
import { grantSecretRead } from '../shared/grants';

/** Cache engines ElastiCache offers with the same protocol. */
export enum CacheEngine {
  /** Redis OSS. */
  REDIS = 'redis',
  /** Valkey, the open-source fork of Redis OSS; cheaper per node-hour. */
  VALKEY = 'valkey',
}

/** Properties of a {@link CacheCluster}. */
export interface CacheClusterProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;

  /** Subnets of the cache nodes: the isolated tier. */
  readonly subnets: ec2.SubnetSelection;

  /** Identifier of the replication group, e.g. `learning-assistant-prod`. Lowercase, at most 40 characters. */
  readonly replicationGroupId: string;

  /** Encrypts data at rest, snapshots and the credentials secret. */
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
   * Engine version.
   *
   * @default '7.1'
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
   * snapshot. The credentials secret and log groups are retained unless this is `DESTROY`.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
}

const PORT = 6379;

/**
 * An ElastiCache replication group (Redis OSS or Valkey) on the L1 resources, since there is no L2:
 *
 * - in the given (isolated) subnets, behind a security group that admits only clients let in with
 *   {@link allowFrom} (no CIDR rules);
 * - TLS required in transit, encryption at rest with a customer-managed key;
 * - role-based access control: an application user whose password is generated into Secrets
 *   Manager (encrypted with the same key) and resolved by CloudFormation, never written into the
 *   template; the mandatory `default` user is switched off;
 * - Multi-AZ with automatic failover, cluster mode selectable, daily snapshots;
 * - slow and engine logs delivered as JSON to encrypted CloudWatch log groups.
 */
export class CacheCluster extends Construct implements ec2.IConnectable {
  /** The replication group. */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** Host name clients connect to: the primary endpoint, or the configuration endpoint in cluster mode. */
  public readonly endpoint: string;
  /** TCP port of the endpoint. */
  public readonly port = PORT;
  /** Credentials of the application user: JSON with `username` and `password`. */
  public readonly credentials: secretsmanager.ISecret;
  /** Name of the application user. */
  public readonly username: string;
  /** Whether clients must use the cluster protocol. */
  public readonly clusterMode: boolean;
  /** Where clients must be allowed in. */
  public readonly connections: ec2.Connections;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: CacheClusterProps) {
    super(scope, id);
    const engine = props.engine ?? CacheEngine.REDIS;
    const shards = props.shards ?? 1;
    const replicasPerShard = props.replicasPerShard ?? 1;
    const multiAz = props.multiAz ?? true;
    this.clusterMode = props.clusterMode ?? false;
    this.encryptionKey = props.encryptionKey;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const retainedUnlessDestroyed =
      removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.validate(props, shards, replicasPerShard, multiAz);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.replicationGroupId} cache: only explicitly allowed clients`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(PORT) });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `${props.replicationGroupId} cache subnets`,
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });

    this.username = 'app';
    this.credentials = new secretsmanager.Secret(this, 'Credentials', {
      description: `Application user of the ${props.replicationGroupId} cache`,
      encryptionKey: props.encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: this.username }),
        generateStringKey: 'password',
        passwordLength: 64,
        // ElastiCache passwords are printable ASCII without spaces, '@', '"' or '/'.
        excludeCharacters: ' @"/\\\'`%&*()[]{}<>|;:,?!=+#$^~',
      },
    });
    this.credentials.applyRemovalPolicy(retainedUnlessDestroyed);

    // Role-based access control: every replication group's user group must contain a user named
    // "default"; ours is switched off, so only the application user can connect.
    const access = new Construct(this, 'Access');
    const defaultUser = new elasticache.CfnUser(access, 'DefaultUser', {
      userId: `${props.replicationGroupId}-default`,
      userName: 'default',
      engine,
      accessString: 'off -@all',
      authenticationMode: { Type: 'no-password-required' },
    });
    const appUser = new elasticache.CfnUser(access, 'AppUser', {
      userId: `${props.replicationGroupId}-app`,
      userName: this.username,
      engine,
      // Everything but administrative and dangerous commands.
      accessString: 'on ~* &* +@all -@admin -@dangerous',
      authenticationMode: {
        Type: 'password',
        Passwords: [this.credentials.secretValueFromJson('password').unsafeUnwrap()],
      },
    });
    const userGroup = new elasticache.CfnUserGroup(access, 'UserGroup', {
      userGroupId: `${props.replicationGroupId}-users`,
      engine,
      userIds: [defaultUser.ref, appUser.ref],
    });

    const logGroups = new Construct(this, 'Logs');
    const logDelivery = (logType: 'slow-log' | 'engine-log', logId: string) => {
      const logGroup = new logs.LogGroup(logGroups, logId, {
        encryptionKey: props.logEncryptionKey,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
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
      replicationGroupId: props.replicationGroupId,
      replicationGroupDescription: `${props.replicationGroupId} ${engine} cache`,
      engine,
      engineVersion: props.engineVersion ?? '7.1',
      cacheNodeType: props.nodeType ?? 'cache.t4g.small',
      port: PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      clusterMode: this.clusterMode ? 'enabled' : 'disabled',
      numNodeGroups: shards,
      replicasPerNodeGroup: replicasPerShard,
      multiAzEnabled: multiAz,
      automaticFailoverEnabled: multiAz || this.clusterMode,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      kmsKeyId: props.encryptionKey.keyArn,
      userGroupIds: [userGroup.ref],
      autoMinorVersionUpgrade: true,
      snapshotRetentionLimit: props.snapshotRetentionDays ?? 7,
      logDeliveryConfigurations: [logDelivery('slow-log', 'Slow'), logDelivery('engine-log', 'Engine')],
    });
    this.replicationGroup.applyRemovalPolicy(removalPolicy);

    this.endpoint = this.clusterMode
      ? this.replicationGroup.attrConfigurationEndPointAddress
      : this.replicationGroup.attrPrimaryEndPointAddress;
  }

  /**
   * Lets `peer` reach the cache on its port. The rules are created from the peer's side, so they
   * live in the peer's stack and never make this stack depend on a consumer.
   */
  public allowFrom(peer: ec2.IConnectable, description = 'Cache client'): void {
    peer.connections.allowTo(this, ec2.Port.tcp(PORT), description);
  }

  /**
   * Lets `grantee` read the application user's credentials (and decrypt them through Secrets
   * Manager). Works across stacks: only the grantee's policy changes.
   */
  public grantReadCredentials(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(grantee, this.credentials, this.encryptionKey);
  }

  private validate(props: CacheClusterProps, shards: number, replicasPerShard: number, multiAz: boolean): void {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.replicationGroupId) || props.replicationGroupId.endsWith('-')) {
      throw new ValidationError(
        this,
        `replicationGroupId "${props.replicationGroupId}" must start with a letter, use lowercase letters, digits and single hyphens, and be at most 40 characters`,
      );
    }
    if (!Number.isInteger(replicasPerShard) || replicasPerShard < 0 || replicasPerShard > 5) {
      throw new ValidationError(this, `replicasPerShard is ${replicasPerShard}; ElastiCache allows 0 to 5`);
    }
    if (multiAz && replicasPerShard < 1) {
      throw new ValidationError(
        this,
        'multiAz needs at least one replica per shard; set replicasPerShard to 1 or more',
      );
    }
    if (!Number.isInteger(shards) || shards < 1 || (!(props.clusterMode ?? false) && shards !== 1)) {
      throw new ValidationError(this, `shards is ${shards}; use 1, or set clusterMode: true to shard`);
    }
    const snapshots = props.snapshotRetentionDays ?? 7;
    if (!Token.isUnresolved(snapshots) && (snapshots < 0 || snapshots > 35)) {
      throw new ValidationError(this, `snapshotRetentionDays is ${snapshots}; ElastiCache keeps 0 to 35 days`);
    }
  }
}
