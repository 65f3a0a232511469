import { CfnOutput, Tags, type RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  BackupVault,
  RecoveryPlan,
  RestoreTesting,
  type BackupSelectionTag,
  type BackupVaultProps,
  type RecoveryPlanProps,
} from '../constructs/backup';
import {
  CacheCluster,
  PostgresDatabase,
  SecureBucket,
  type CacheClusterProps,
  type DataKeys,
  type DataServices,
  type ICacheCluster,
  type IPostgresDatabase,
  type ISecureBucket,
  type PostgresDatabaseProps,
  type SecureBucketProps,
} from '../constructs/data';
import { EncryptionKey, type EncryptionKeyProps } from '../constructs/security';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';
import { SavedQueries } from '../constructs/observability';

/** Properties of a {@link DataStack}. */
export interface DataStackProps extends EnvironmentStackProps {
  /** Alias prefix of the keys, e.g. `alias/learning-assistant/prod`; each key appends its domain. */
  readonly keyAliasPrefix: string;
  /** Start of each key's description, e.g. the product's name. */
  readonly keyDescriptionPrefix: string;
  /** What happens to the keys when they leave the stack. */
  readonly keyRemovalPolicy: RemovalPolicy;
  /**
   * Principals that administer the keys (see `EncryptionKey.administrators`).
   *
   * @default - only the deployment role (and the root user, to recover a key)
   */
  readonly keyAdministrators?: iam.IPrincipal[];
  /** PostgreSQL, without its keys (the stack supplies them). */
  readonly database: Omit<PostgresDatabaseProps, 'encryptionKey' | 'logEncryptionKey'>;
  /** Cache, without its keys. */
  readonly cache: Omit<CacheClusterProps, 'encryptionKey' | 'logEncryptionKey'>;
  /** The uploads bucket, without its key and log target. */
  readonly uploads: Omit<SecureBucketProps, 'encryptionKey' | 'serverAccessLogsBucket' | 'autoDeleteLogEncryptionKey'>;
  /**
   * Backup plan, copies and replication to the disaster-recovery region.
   *
   * @default - none: the database keeps its automated backups only
   */
  readonly backup?: DataBackupProps;
  /** The access-logs bucket. */
  readonly accessLogs: Omit<
    SecureBucketProps,
    'encryptionKey' | 'serverAccessLogsBucket' | 'autoDeleteLogEncryptionKey'
  >;
}

/** What the data layer keeps recoverable, where backup is on. */
export interface DataBackupProps {
  /** The home vault (the stack gives it its own key). */
  readonly vault: Omit<BackupVaultProps, 'encryptionKey' | 'keyServices'>;
  /** The plan, without its vaults and tag (the stack supplies them). */
  readonly plan: Omit<RecoveryPlanProps, 'vault' | 'copyTo' | 'selectionTag'>;
  /** The tag a resource carries to be backed up by the plan. */
  readonly selectionTag: BackupSelectionTag;
  /** ARN of the copy vault in the disaster-recovery region (a fixed name: no reference across regions). */
  readonly copyVaultArn: string;
  /** Whether a restore testing plan restores the latest database recovery point weekly. */
  readonly restoreTesting: boolean;
  /** The uploads bucket's replica in the disaster-recovery region and its key. */
  readonly replica: { readonly bucketArn: string; readonly keyArn: string };
}

/** The data layer of one environment: keys, PostgreSQL, cache and buckets. */
export class DataStack extends EnvironmentStack implements DataServices {
  public readonly keys: DataKeys;
  public readonly database: IPostgresDatabase;
  public readonly cache: ICacheCluster;
  public readonly logsBucket: s3.IBucket;
  public readonly uploadsBucket: ISecureBucket;
  /** The home backup vault, where backup is on. */
  public readonly vault?: BackupVault;
  /** The backup plan, where backup is on. */
  public readonly backupPlan?: RecoveryPlan;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    const keys = new Construct(this, 'Keys');
    const key = (
      keyId: string,
      domain: string,
      options: Pick<EncryptionKeyProps, 'viaServices' | 'allowCloudWatchLogs'>,
    ) =>
      new EncryptionKey(keys, keyId, {
        description: `${props.keyDescriptionPrefix} ${domain} (${props.keyAliasPrefix})`,
        alias: `${props.keyAliasPrefix}/${domain}`,
        removalPolicy: props.keyRemovalPolicy,
        administrators: props.keyAdministrators,
        ...options,
      });
    // The database and cache keys admit the services their constructs use them through.
    this.keys = {
      database: key('Database', 'database', { viaServices: PostgresDatabase.ENCRYPTION_KEY_SERVICES }),
      cache: key('Cache', 'cache', { viaServices: CacheCluster.ENCRYPTION_KEY_SERVICES }),
      storage: key('Storage', 'storage', { viaServices: ['s3'] }),
      logs: key('Logs', 'logs', { allowCloudWatchLogs: true }),
    };

    const database = new PostgresDatabase(this, 'Database', {
      ...props.database,
      encryptionKey: this.keys.database,
      logEncryptionKey: this.keys.logs,
    });
    this.database = database;
    new SavedQueries(this, 'Queries', {
      folder: props.database.identifierPrefix,
      databaseLogGroups: [...database.postgresLogGroups],
    });
    this.cache = new CacheCluster(this, 'Cache', {
      ...props.cache,
      encryptionKey: this.keys.cache,
      logEncryptionKey: this.keys.logs,
    });
    this.logsBucket = new SecureBucket(this, 'AccessLogs', {
      ...props.accessLogs,
      autoDeleteLogEncryptionKey: this.keys.logs,
    });
    const replica = props.backup?.replica;
    this.uploadsBucket = new SecureBucket(this, 'Uploads', {
      ...props.uploads,
      autoDeleteLogEncryptionKey: this.keys.logs,
      replicaBucket: replica && s3.Bucket.fromBucketArn(this, 'ReplicaBucket', replica.bucketArn),
      replicaEncryptionKey: replica && kms.Key.fromKeyArn(this, 'ReplicaKey', replica.keyArn),
      encryptionKey: this.keys.storage,
      serverAccessLogsBucket: this.logsBucket,
    });

    if (props.backup !== undefined) {
      const { backup: b } = props;
      this.vault = new BackupVault(this, 'Vault', b.vault);
      this.backupPlan = new RecoveryPlan(this, 'BackupPlan', {
        ...b.plan,
        vault: this.vault.vault,
        copyTo: backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', b.copyVaultArn),
        selectionTag: b.selectionTag,
      });
      // A resource opts in by carrying the plan's tag.
      for (const resource of [database.instance, this.uploadsBucket]) {
        Tags.of(resource).add(b.selectionTag.key, b.selectionTag.value);
      }
      // The restore drill restores into this group: `npm run restore-drill -- --isolated-security-group <id>`.
      new CfnOutput(this, 'IsolatedSecurityGroupId', {
        description:
          'Security group of restored copies (no traffic in or out): restore-drill --isolated-security-group',
        value: database.isolatedSecurityGroup.securityGroupId,
      });
      if (b.restoreTesting) {
        new RestoreTesting(this, 'RestoreTesting', {
          name: b.plan.planName.replace(/-/g, '_'),
          vault: this.vault.vault,
          subnetGroup: database.subnetGroup,
          isolatedSecurityGroup: database.isolatedSecurityGroup,
          databases: [database.instance],
        });
      }
    }
  }
}
