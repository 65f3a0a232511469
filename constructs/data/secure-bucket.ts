import { Duration, FeatureFlags, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';

/** Properties of a {@link SecureBucket}. */
export interface SecureBucketProps {
  /**
   * Customer-managed key for SSE-KMS (with an S3 bucket key, to keep KMS requests cheap).
   * Leave it out only for consumers that cannot write SSE-KMS objects: ALB access logs accept SSE-S3 only.
   *
   * @default - SSE-S3
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Days a replaced or deleted object version is kept.
   *
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;

  /**
   * Days after which current objects move to Standard-IA (at least 30).
   *
   * @default - they stay in Standard
   */
  readonly transitionToInfrequentAccessDays?: number;

  /**
   * Days after which current objects expire.
   *
   * @default - they never expire
   */
  readonly expirationDays?: number;

  /**
   * Bucket receiving this bucket's server access logs.
   *
   * @default - no server access logs (only for the bucket that receives everyone else's)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * Key prefix of this bucket's access logs in `serverAccessLogsBucket`.
   *
   * @default - the construct path
   */
  readonly serverAccessLogsPrefix?: string;

  /**
   * What happens to the bucket when it leaves the stack. `DESTROY` also empties it first.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An S3 bucket with the project's defaults: public access blocked, TLS required, encrypted,
 * versioned with noncurrent versions expiring, ACLs disabled (bucket owner enforced), incomplete
 * multipart uploads cleaned up, Object Lock available, event notifications to EventBridge,
 * retained by default.
 */
export class SecureBucket extends s3.Bucket {
  private readonly objectKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    if (
      props.serverAccessLogsBucket !== undefined &&
      !FeatureFlags.of(scope).isEnabled(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY)
    ) {
      // Without the flag CDK grants log delivery through an ACL, which bucket-owner-enforced
      // buckets (ours) refuse; fail with the fix rather than deep inside aws-s3.
      throw new ValidationError(
        scope,
        `SecureBucket "${id}" sends access logs to another bucket: enable the feature flag "${cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY}" (cdk.json context) so delivery uses a bucket policy instead of ACLs`,
      );
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const transitions =
      props.transitionToInfrequentAccessDays === undefined
        ? undefined
        : [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(props.transitionToInfrequentAccessDays),
            },
          ];
    super(scope, id, {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey !== undefined,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Object Lock on, without a default retention: objects stay deletable (user uploads must be),
      // but legal holds and per-object retention are available to incident response.
      objectLockEnabled: true,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsBucket
        ? (props.serverAccessLogsPrefix ?? `s3-access/${id.toLowerCase()}/`)
        : undefined,
      lifecycleRules: [
        {
          id: 'Housekeeping',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 30),
          expiredObjectDeleteMarker: props.expirationDays === undefined,
          transitions,
          expiration: props.expirationDays === undefined ? undefined : Duration.days(props.expirationDays),
        },
      ],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    this.objectKey = props.encryptionKey;
    // Event notifications to EventBridge through CloudFormation's own property: the L2's
    // `eventBridgeEnabled` deploys a custom-resource Lambda to do the same.
    (this.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    if (
      props.transitionToInfrequentAccessDays !== undefined &&
      props.expirationDays !== undefined &&
      props.expirationDays <= props.transitionToInfrequentAccessDays
    ) {
      throw new ValidationError(
        this,
        `expirationDays (${props.expirationDays}) must exceed transitionToInfrequentAccessDays (${props.transitionToInfrequentAccessDays})`,
      );
    }
    if (props.transitionToInfrequentAccessDays !== undefined && props.transitionToInfrequentAccessDays < 30) {
      throw new ValidationError(
        this,
        `transitionToInfrequentAccessDays is ${props.transitionToInfrequentAccessDays}; Standard-IA accepts objects 30 days or older`,
      );
    }
  }

  /**
   * Lets `grantee` list the bucket and read, write and delete objects: named actions only (no
   * wildcards), and the key only through S3. Statements go on the grantee's policy, so this works
   * from a stack that depends on the bucket's.
   */
  public grantObjectReadWrite(grantee: iam.IGrantable): iam.Grant {
    const objects = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resourceArns: [this.arnForObjects('*')],
    });
    const bucket = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resourceArns: [this.bucketArn],
    });
    if (this.objectKey === undefined) {
      return objects.combine(bucket);
    }
    const key = iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resourceArns: [this.objectKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
    });
    return objects.combine(bucket).combine(key);
  }
}
