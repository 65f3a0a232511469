import { HIPAA, NIST, PCI, acknowledge, condition, guard, type AcknowledgmentEntry } from './shared';

/** `backup.enabled`: AWS Backup, the disaster-recovery region's stack and the uploads replication exist. */
export const WITH_BACKUP = condition('with backup.enabled', (config) => config.backup.enabled);
/** `backup.enabled` off (dev): the database keeps its automated backups only, nothing leaves the region. */
export const WITHOUT_BACKUP = condition('with backup.enabled off', (config) => !config.backup.enabled);

/** Reviewed findings of the backup and disaster-recovery layer (Data stack's plan, Dr stack). */
export const DR_ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  ...acknowledge(
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore]',
    ],
    'Data/BackupPlan/Role',
    "AWS Backup's own service-role policies, which AWS keeps in step with what each resource type's backup, " +
      'copy and restore call; a hand-written copy would silently fall behind. The role serves only this plan.',
    WITH_BACKUP,
  ),
  ...acknowledge(
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
    ],
    'Data/RestoreTesting/Role',
    "AWS Backup's restore policy, maintained by AWS; the role serves only the restore tests, which restore into " +
      'the isolated security group and are deleted after validation.',
    WITH_BACKUP,
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::<Uploads4F6EB0FD.Arn>/*]'],
    'Data/UploadsReplicationRole/Policy/Resource',
    'S3 replication reads every object version of the uploads bucket it copies (and its retention and legal ' +
      'hold): objects of that bucket only.',
    WITH_BACKUP,
  ),
  ...acknowledge(
    [
      'AwsSolutions-IAM5[Resource::{"Fn::GetStackOutput":{"StackName":"{stage}-Dr","Region":"{drRegion}","OutputName":"PublishOutputFnGetAttReplicaDDFB2A87Arn7F5E4644"}}/*]',
    ],
    'Data/UploadsReplicationRole/Policy/Resource',
    'S3 replication writes object versions into the replica bucket under their own keys: objects of that ' +
      'bucket only.',
    WITH_BACKUP,
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]'],
    'Data/UploadsReplicationRole/Policy/Resource',
    "aws-cdk-lib's encrypt grant on the replica key (one key, named by ARN): S3 generates a data key per " +
      'replicated object and may re-encrypt under it.',
    WITH_BACKUP,
  ),
  ...acknowledge(
    ['DeployReadiness-S3ObjectLockDefaultRetention'],
    'Dr/Replica/Resource',
    'S3 replicates only into a bucket with Object Lock when the source has it; a default retention would lock ' +
      'replicas of uploads that must stay deletable on request, as on the source bucket.',
    WITH_BACKUP,
  ),
  ...['Dr/Replica', 'Dr/AccessLogs'].flatMap((path) =>
    acknowledge(
      [
        `${NIST}-S3BucketReplicationEnabled`,
        `${HIPAA}-S3BucketReplicationEnabled`,
        `${PCI}-S3BucketReplicationEnabled`,
      ],
      path,
      'The disaster-recovery copy itself: replicating the replica (or its access logs) to a third region would ' +
        'protect against the loss of two regions, beyond the RTO/RPO targets.',
      WITH_BACKUP,
    ),
  ),
  ...acknowledge(
    [
      `${NIST}-S3DefaultEncryptionKMS`,
      `${HIPAA}-S3DefaultEncryptionKMS`,
      `${PCI}-S3DefaultEncryptionKMS`,
      guard('s3_bucket_default_encryption_kms_check'),
    ],
    'Dr/AccessLogs',
    'S3 delivers server access logs only to buckets encrypted with SSE-S3; the bucket holds request logs of the ' +
      'replica, never user content.',
    WITH_BACKUP,
  ),
  ...acknowledge(
    [guard('s3_bucket_logging_enabled_check')],
    'Dr/AccessLogs',
    "The bucket that receives the replica's server access logs; logging it into itself would log its own log " +
      'deliveries without end.',
    WITH_BACKUP,
  ),
  ...acknowledge(
    [guard('s3_bucket_object_lock_enabled_check')],
    'Dr/AccessLogs/Resource',
    'S3 does not deliver server access logs into a bucket with Object Lock; the bucket is versioned and its ' +
      'noncurrent versions expire on a schedule.',
    WITH_BACKUP,
  ),
];
