import {
  CACHE_WITHOUT_FAILOVER,
  DISPOSABLE,
  SHORT_LOG_RETENTION,
  HIPAA,
  NIST,
  PCI,
  SHORT_CACHE_SNAPSHOTS,
  SINGLE_AZ_CACHE,
  SINGLE_AZ_DATABASE,
  UNPROTECTED_DATABASE,
  WITHOUT_ENHANCED_MONITORING,
  WITH_ENHANCED_MONITORING,
  WITH_READ_REPLICAS,
  acknowledge,
  guard,
  type AcknowledgmentEntry,
} from './shared';
import { WITHOUT_BACKUP, WITH_BACKUP } from './dr';

/** Reviewed findings of the data layer: PostgreSQL, cache, buckets. */
export const DATA_ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  // --- Data layer: buckets ----------------------------------------------------------------------
  ...acknowledge(
    ['DeployReadiness-S3ObjectLockDefaultRetention'],
    'Data/Uploads/Resource',
    'User uploads must stay deletable on request (a user deleting a file or the account), which a default ' +
      'retention would block for its whole period; Object Lock stays enabled for legal holds and per-object ' +
      'retention set by incident response, and versioning keeps deleted objects for the noncurrent expiry.',
  ),
  ...acknowledge(
    [guard('s3_bucket_object_lock_enabled_check')],
    'Data/AccessLogs/Resource',
    "The access-logs bucket receives the uploads bucket's S3 server access logs, and S3 does not deliver server " +
      'access logs into a bucket with Object Lock (S3 User Guide, Object Lock considerations); the bucket is ' +
      'versioned, its noncurrent versions expire on a schedule, and only log delivery services may write to it.',
  ),
  // --- Data layer: PostgreSQL -------------------------------------------------------------------
  // The deploy-time bootstrap of the application users: a function and the Provider framework's
  // function, both in the application subnets, invoked by CloudFormation during stack operations.
  ...['Data/Database/Bootstrap/Role', 'Data/Database/Bootstrap/ProviderRole'].flatMap((path) =>
    acknowledge(
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]'],
      path,
      'AWSLambdaVPCAccessExecutionRole is the policy AWS maintains for a function in a VPC (its network ' +
        'interfaces and logs); the bootstrap reads only the master secret, through its own statement.',
    ),
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::<DatabaseBootstrapFunctionB54B2471.Arn>:*]'],
    'Data/Database/Bootstrap/ProviderRole',
    "aws-cdk-lib's Provider framework may invoke the bootstrap function and its versions (grantInvoke): the " +
      'wildcard names the versions of that one function.',
  ),
  ...['Data/Database/Bootstrap/Function', 'Data/Database/Bootstrap/Provider/framework-onEvent'].flatMap((path) => [
    ...acknowledge(
      [`${NIST}-LambdaConcurrency`, `${HIPAA}-LambdaConcurrency`],
      path,
      'CloudFormation invokes it a few times per stack operation, so it never competes for concurrency; ' +
        'reserving some would fail to deploy in new accounts whose quota is 10, the minimum Lambda keeps unreserved.',
    ),
    ...acknowledge(
      [`${NIST}-LambdaDLQ`, `${HIPAA}-LambdaDLQ`],
      path,
      'Invoked synchronously by the custom-resource framework, which reports a failure to CloudFormation (the ' +
        'stack operation fails and rolls back); a dead-letter queue only catches asynchronous invocations.',
    ),
    ...acknowledge(
      [guard('lambda_inside_vpc_check')],
      path,
      'The function runs in the application subnets (it must reach the primary); the subnet IDs come from the ' +
        'network layer through Fn::GetStackOutput, which the rule cannot read.',
    ),
  ]),
  ...['Data/Database/Bootstrap/Logs', 'Data/Database/Bootstrap/ProviderLogs'].flatMap((path) =>
    acknowledge(
      [guard('cloudwatch_log_group_retention_period_check')],
      path,
      'Keeps the configured log retention (logRetentionDays), under a year where the environment is disposable.',
      SHORT_LOG_RETENTION,
    ),
  ),
  ...acknowledge(
    ['AwsSolutions-RDS2', `${NIST}-RDSStorageEncrypted`, `${HIPAA}-RDSStorageEncrypted`, `${PCI}-RDSStorageEncrypted`],
    'Data/Database/Replicas',
    "Read replicas in the source region are always encrypted with the primary's key; CloudFormation rejects " +
      'StorageEncrypted next to SourceDBInstanceIdentifier (cfn-lint F3020), so the rules cannot see it.',
    WITH_READ_REPLICAS,
  ),
  ...acknowledge(
    ['AwsSolutions-RDS3', `${NIST}-RDSMultiAZSupport`, `${HIPAA}-RDSMultiAZSupport`],
    'Data/Database/Replicas',
    'Replicas only scale reads, one per AZ, behind a health-checked weighted reader name that falls back to the ' +
      'primary; the writer is Multi-AZ. A standby per replica would double their cost for no write availability.',
    WITH_READ_REPLICAS,
  ),
  // dev runs one small instance: disposable by design, it holds no production data, and staging proves
  // the protected configuration. Each config switch answers its own findings.
  ...acknowledge(
    [
      'AwsSolutions-RDS3',
      `${NIST}-RDSMultiAZSupport`,
      `${HIPAA}-RDSMultiAZSupport`,
      guard('rds_instance_multi_az_support_check'),
    ],
    'Data/Database/Resource',
    'A single-AZ instance is the cheap configuration of an environment without production data (dev), restored ' +
      'from its automated backups if its AZ fails; staging and prod run a Multi-AZ standby.',
    SINGLE_AZ_DATABASE,
  ),
  ...acknowledge(
    [
      'AwsSolutions-RDS10',
      `${NIST}-RDSInstanceDeletionProtectionEnabled`,
      `${HIPAA}-RDSInstanceDeletionProtectionEnabled`,
      guard('rds_instance_deletion_protection_enabled_check'),
    ],
    'Data/Database/Resource',
    'Without deletion protection the environment can be torn down freely (dev is disposable by design and holds ' +
      'no production data); staging and prod refuse deletion and keep a final snapshot.',
    UNPROTECTED_DATABASE,
  ),
  ...acknowledge(
    [
      `${NIST}-RDSEnhancedMonitoringEnabled`,
      `${HIPAA}-RDSEnhancedMonitoringEnabled`,
      guard('rds_instance_enhanced_monitoring_enabled_check'),
    ],
    'Data/Database/Resource',
    'Enhanced monitoring is off where OS-level metrics are not worth their cost (dev, a t4g.micro without ' +
      'production load); CloudWatch still has the instance metrics, and staging and prod sample every 60 seconds.',
    WITHOUT_ENHANCED_MONITORING,
  ),
  ...acknowledge(
    [`${NIST}-CloudWatchAlarmAction`, `${HIPAA}-CloudWatchAlarmAction`, guard('cloudwatch_alarm_action_check')],
    'Data/Database/ReaderHealth',
    'These alarms act through Route 53: each feeds the health check of one reader record, which takes a ' +
      'lagging or failed replica out of the reader name. Paging routes belong to the observability layer, ' +
      'which is not built yet.',
  ),
  ...acknowledge(
    ['AwsSolutions-RDS11', guard('rds_instance_no_default_ports_check')],
    'Data/Database',
    'RDS Proxy only listens on 5432, so clients use the default port anyway; a different port on the instances ' +
      'adds no protection. Access is limited by security groups (proxy and rotation only) and the database-tier NACL.',
  ),
  ...acknowledge(
    [`${NIST}-RDSInBackupPlan`, `${HIPAA}-RDSInBackupPlan`],
    'Data/Database',
    'The database is without AWS Backup where backup is off (dev): its automated backups with point-in-time ' +
      'recovery are enough for an environment without production data.',
    WITHOUT_BACKUP,
  ),
  ...acknowledge(
    [`${NIST}-RDSInBackupPlan`, `${HIPAA}-RDSInBackupPlan`],
    'Data/Database',
    "The database is in the plan through its backup-plan tag, which the plan's selection matches; the rule only " +
      'recognizes selections that name the instance. test/backup.test.ts checks the tag and the selection.',
    WITH_BACKUP,
  ),
  ...acknowledge(
    [
      `${NIST}-EC2RestrictedCommonPorts`,
      `${NIST}-EC2RestrictedSSH`,
      `${HIPAA}-EC2RestrictedCommonPorts`,
      `${HIPAA}-EC2RestrictedSSH`,
      `${PCI}-EC2RestrictedCommonPorts`,
      `${PCI}-EC2RestrictedSSH`,
    ],
    'Data/Database/SecurityGroups/Primary',
    'These rules look for SSH and common ports open to 0.0.0.0/0 and cannot evaluate the port token RDS gives its ' +
      'ingress rules; the only sources here are the proxy and rotation security groups, on the database port.',
  ),
  ...acknowledge(
    ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]'],
    'Data/Database/MonitoringRole',
    'AmazonRDSEnhancedMonitoringRole is the policy AWS maintains for the enhanced-monitoring agent; it only writes ' +
      'to the RDSOSMetrics log group. A copy of our own would drift from what the agent needs.',
    WITH_ENHANCED_MONITORING,
  ),

  // --- Data layer: cache ------------------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-AEC4'],
    'Data/Cache/Resource',
    'A single-AZ cache (dev: one node) holds only rebuildable data in an environment without production ' +
      'traffic; staging and prod fail over across AZs.',
    SINGLE_AZ_CACHE,
  ),
  ...acknowledge(
    [guard('elasticache_repl_grp_auto_failover_enabled_check')],
    'Data/Cache/Resource',
    'Without Multi-AZ or cluster mode the cache has no replica to fail over to (dev: one node); it holds only ' +
      'rebuildable data, and staging and prod fail over automatically.',
    CACHE_WITHOUT_FAILOVER,
  ),
  ...acknowledge(
    [`${NIST}-ElastiCacheRedisClusterAutomaticBackup`, `${HIPAA}-ElastiCacheRedisClusterAutomaticBackup`],
    'Data/Cache/Resource',
    'Snapshots kept under 15 days (dev: one day) suit a cache of rebuildable data in an environment without ' +
      'production traffic; staging and prod keep 15 days.',
    SHORT_CACHE_SNAPSHOTS,
  ),
  ...acknowledge(
    ['AwsSolutions-AEC5'],
    'Data/Cache/Resource',
    'A non-default port adds no protection: the cache security group admits only explicitly allowed clients, ' +
      'the database-tier NACL only the application tier, and every client must authenticate over TLS.',
  ),
  ...acknowledge(
    ['AwsSolutions-AEC6'],
    'Data/Cache/Resource',
    'Authentication is role-based access control (a user group with the application user, which authenticates ' +
      'with IAM tokens; the default user is off); this rule only recognises the older AUTH token.',
  ),

  // --- Data layer: buckets ----------------------------------------------------------------------
  ...acknowledge(
    [`${NIST}-S3BucketReplicationEnabled`, `${HIPAA}-S3BucketReplicationEnabled`, `${PCI}-S3BucketReplicationEnabled`],
    'Data/Uploads',
    'Without backup (dev) nothing leaves the region: dev holds no data staging cannot rebuild. Where backup is ' +
      'on, the uploads replicate to the disaster-recovery region.',
    WITHOUT_BACKUP,
  ),
  ...acknowledge(
    [`${NIST}-S3BucketReplicationEnabled`, `${HIPAA}-S3BucketReplicationEnabled`, `${PCI}-S3BucketReplicationEnabled`],
    'Data/AccessLogs',
    'Request logs, versioned and retained in staging and prod; the recovery targets cover user data (database, ' +
      'uploads), not the logs of a lost region.',
  ),
  ...acknowledge(
    [
      `${NIST}-S3DefaultEncryptionKMS`,
      `${HIPAA}-S3DefaultEncryptionKMS`,
      `${PCI}-S3DefaultEncryptionKMS`,
      guard('s3_bucket_default_encryption_kms_check'),
    ],
    'Data/AccessLogs',
    'Application Load Balancer access logs can only be delivered to buckets encrypted with SSE-S3, so the ' +
      'access-logs bucket cannot use a KMS key; it holds request logs, never user content.',
  ),
  ...acknowledge(
    [guard('s3_bucket_logging_enabled_check')],
    'Data/AccessLogs',
    "This is the bucket that receives the other buckets' server access logs; logging it into itself would " +
      'log its own log deliveries without end.',
  ),
  ...acknowledge(
    [guard('lambda_inside_vpc_check')],
    'Data/Custom::S3AutoDeleteObjectsCustomResourceProvider',
    "dev buckets are emptied on stack deletion by aws-cdk-lib's provider (autoDeleteObjects) so dev can be " +
      'destroyed freely; it runs only at deletion, calls only the S3 API and its placement is not configurable.',
    DISPOSABLE,
  ),
];
