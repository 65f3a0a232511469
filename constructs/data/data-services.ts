import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { ICacheCluster } from './cache-cluster';
import type { IPostgresDatabase } from './postgres-database';
import type { ISecureBucket } from './secure-bucket';

/**
 * What the data layer offers the layers above it. The compute layer reads endpoints, ports and
 * secrets from here and asks for access through the typed methods (`allowFrom`, `grantRead...`),
 * never by ARN or CIDR.
 */
export interface DataServices {
  /** PostgreSQL: `writerEndpoint`, `readerEndpoint`, `port`, `credentials`, `allowFrom`, `grantReadCredentials`, metrics. */
  readonly database: IPostgresDatabase;
  /** Redis/Valkey: `endpoint`, `port`, `credentials` (RBAC user), `allowFrom`, `grantReadCredentials`, metrics. */
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
  /** RDS storage, snapshots, Performance Insights, database credentials. */
  readonly database: kms.IKey;
  /** ElastiCache at rest and the cache user's credentials. */
  readonly cache: kms.IKey;
  /** Object storage (uploads bucket). */
  readonly storage: kms.IKey;
  /** CloudWatch log groups of the data and compute layers. */
  readonly logs: kms.IKey;
}
