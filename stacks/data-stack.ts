import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
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
  /** The access-logs bucket. */
  readonly accessLogs: Omit<
    SecureBucketProps,
    'encryptionKey' | 'serverAccessLogsBucket' | 'autoDeleteLogEncryptionKey'
  >;
}

/** The data layer of one environment: keys, PostgreSQL, cache and buckets. */
export class DataStack extends EnvironmentStack implements DataServices {
  public readonly keys: DataKeys;
  public readonly database: IPostgresDatabase;
  public readonly cache: ICacheCluster;
  public readonly logsBucket: s3.IBucket;
  public readonly uploadsBucket: ISecureBucket;

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
    this.uploadsBucket = new SecureBucket(this, 'Uploads', {
      ...props.uploads,
      autoDeleteLogEncryptionKey: this.keys.logs,
      encryptionKey: this.keys.storage,
      serverAccessLogsBucket: this.logsBucket,
    });
  }
}
