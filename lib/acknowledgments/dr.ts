import { HIPAA, NIST, PCI, acknowledge, condition, guard, type AcknowledgmentEntry } from './shared';

/** `backup.enabled`: AWS Backup, the disaster-recovery region's stack and the uploads replication exist. */
export const WITH_BACKUP = condition('with backup.enabled', (config) => config.backup.enabled);
/** `backup.enabled` off (dev): the database keeps its automated backups only, nothing leaves the region. */
export const WITHOUT_BACKUP = condition('with backup.enabled off', (config) => !config.backup.enabled);

/** `backup.standby`: the database's cross-region replica and its network exist in `drRegion`. */
export const WITH_STANDBY = condition('with backup.standby', (config) => config.backup.standby !== undefined);
/** `backup.standby` with enhanced monitoring: the standby's monitoring role exists. */
export const WITH_STANDBY_MONITORING = condition(
  'with backup.standby and database.monitoringIntervalSeconds above 0',
  (config) => config.backup.standby !== undefined && config.database.monitoringIntervalSeconds > 0,
);

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
  // --- Standby (cross-region replica) ---------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-VPC3'],
    'Standby/Network/DatabaseAcl',
    "The standby network is built like the home network (constructs/network): the database tier's ACL is the " +
      'same deliberate second fence, generated from the subnet layout and covered by tests.',
    WITH_STANDBY,
  ),
  ...acknowledge(
    ['AwsSolutions-RDS3', `${NIST}-RDSMultiAZSupport`, `${HIPAA}-RDSMultiAZSupport`],
    'Standby/Database/Resource',
    "The standby is itself the other region's copy of a Multi-AZ primary; a second standby of it would double its " +
      'cost for a case (the recovery region losing an AZ while the home region is down) that promotion covers by ' +
      'making the promoted instance Multi-AZ (docs/disaster-recovery.md).',
    WITH_STANDBY,
  ),
  ...acknowledge(
    ['AwsSolutions-RDS11'],
    'Standby/Database/Resource',
    'A replica serves the port of its source; clients of a promoted standby use the same port as the primary. ' +
      'Nothing may connect until a security group rule allows it.',
    WITH_STANDBY,
  ),
  ...acknowledge(
    [`${NIST}-RDSInBackupPlan`, `${HIPAA}-RDSInBackupPlan`],
    'Standby/Database/Resource',
    'AWS Backup does not back up read replicas, and a replica has no backups of its own: the primary is in the ' +
      "plan and its daily copies land in this region's vault. A promoted standby starts its own automated backups.",
    WITH_STANDBY,
  ),
  ...[1, 2, 3].flatMap((subnet) =>
    acknowledge(
      [
        `${NIST}-VPCNoUnrestrictedRouteToIGW`,
        `${HIPAA}-VPCNoUnrestrictedRouteToIGW`,
        `${PCI}-VPCNoUnrestrictedRouteToIGW`,
      ],
      `Standby/Network/Resource/PublicSubnet${subnet}/DefaultRoute`,
      "The standby network's public tier holds its NAT gateway, which needs a default route to the internet " +
        'gateway; no workload runs there and no subnet assigns public IPs.',
      WITH_STANDBY,
    ),
  ),
  ...acknowledge(
    [guard('lambda_inside_vpc_check')],
    'Standby/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
    'aws-cdk-lib ships this singleton provider to strip the default security group (Vpc.restrictDefaultSecurityGroup). ' +
      'It runs only during deployment, calls only the EC2 API, handles no data, and its placement is not configurable.',
    WITH_STANDBY,
  ),
  ...acknowledge(
    ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]'],
    'Standby/Database/MonitoringRole',
    'AmazonRDSEnhancedMonitoringRole is the policy AWS maintains for the enhanced-monitoring agent; it only writes ' +
      'to the RDSOSMetrics log group. A copy of our own would drift from what the agent needs.',
    WITH_STANDBY_MONITORING,
  ),
];
