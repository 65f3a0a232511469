import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { ICacheCluster } from './cache-cluster';
import type { IPostgresDatabase } from './postgres-database';
import type { ISecureBucket } from './secure-bucket';

/**
 * What the data layer offers the layers above it. The compute layer reads endpoints, ports and
 * user names from here and asks for access through the typed methods (`allowFrom`, `grantConnect...`),
 * never by ARN or CIDR. The application authenticates with IAM everywhere: no database or cache
 * password is offered to it.
 */
export interface DataServices {
  /** PostgreSQL: `writerEndpoint`, `readerEndpoint`, `port`, `writerUser`, `readerUser`, `allowFrom`, `grantConnectAsWriter` / `grantConnectAsReader`, metrics. */
  readonly database: IPostgresDatabase;
  /** Redis/Valkey: `endpoint`, `port`, `username`, `replicationGroupId`, `allowFrom`, `grantConnect` (IAM), metrics. */
  readonly cache: ICacheCluster;
  /** User uploads, SSE-KMS with the storage key: `grantObjectReadWrite` (least privilege), or the usual `grantRead`. */
  readonly uploadsBucket: ISecureBucket;
  /** Access logs of the buckets, load balancer and CDN (SSE-S3, which those services require). */
  readonly logsBucket: s3.IBucket;
  /** Keys per data domain. */
  readonly keys: DataKeys;
}

/** One customer-managed key per data domain. */
export interface DataKeys {
  /** RDS storage, snapshots, Performance Insights, the master credentials. */
  readonly database: kms.IKey;
  /** ElastiCache at rest (and the disabled Valkey default user's unused password). */
  readonly cache: kms.IKey;
  /** Object storage (uploads bucket). */
  readonly storage: kms.IKey;
  /** CloudWatch log groups of the data and compute layers. */
  readonly logs: kms.IKey;
}
