import { Validations } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentName } from '../config';
import { GUARD_NAMESPACE, type Finding } from './compliance';

/**
 * One reviewed compliance finding that the project accepts.
 *
 * Fixing the resource beats acknowledging the finding. An entry is as narrow as the
 * finding: one rule id (with its `[finding]` suffix where the rule has one) on one
 * construct path. A test fails when an entry no longer matches a finding.
 */
export interface AcknowledgmentEntry {
  /**
   * The finding id exactly as reported, e.g. `AwsSolutions-IAM4[Policy::...]` or
   * `cdk-validator-cfnguard::<rule>`. `{stage}`, `{account}` and `{region}` stand for the
   * environment's, for findings that quote an ARN or a stack name.
   */
  readonly id: string;
  /** Construct path below the stage, e.g. `Network/Network/Resource`. Covers that construct and its children. */
  readonly path: string;
  /** Why the finding is acceptable here: specific to this resource, never "not needed". */
  readonly reason: string;
  /**
   * Environments the finding occurs in.
   *
   * @default - every environment
   */
  readonly environments?: readonly EnvironmentName[];
}

const NIST = 'NIST.800.53.R5';
const HIPAA = 'HIPAA.Security';
const PCI = 'PCI.DSS.321';
const guard = (rule: string): string => `${GUARD_NAMESPACE}::${rule}`;

/** One decision that answers several rules' findings on the same construct. */
function acknowledge(
  ids: readonly string[],
  path: string,
  reason: string,
  environments?: readonly EnvironmentName[],
): AcknowledgmentEntry[] {
  return ids.map((id) => ({ id, path, reason, environments }));
}

const DEV_ONLY: readonly EnvironmentName[] = ['dev'];

/** Rules that flag any plain-HTTP load balancer listener. */
const PLAIN_HTTP_LISTENER_RULES = [
  `${NIST}-ALBHttpToHttpsRedirection`,
  `${HIPAA}-ALBHttpToHttpsRedirection`,
  `${PCI}-ALBHttpToHttpsRedirection`,
  `${NIST}-ELBv2ACMCertificateRequired`,
  `${HIPAA}-ELBv2ACMCertificateRequired`,
  `${PCI}-ELBv2ACMCertificateRequired`,
  guard('alb_http_to_https_redirection_check'),
];
const WITH_REPLICAS: readonly EnvironmentName[] = ['staging', 'prod'];

/**
 * The project's single registry of acknowledged findings. Review every change to it.
 */
export const ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  // --- Network layer ----------------------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-VPC3'],
    'Network/Network/DatabaseAcl',
    'AwsSolutions discourages network ACLs as hard to maintain; this one is a deliberate second fence ' +
      'around the database tier (only the application and database tiers, only the database ports), generated ' +
      'from the subnet layout and covered by tests.',
  ),
  ...[1, 2, 3].flatMap((subnet) =>
    acknowledge(
      [
        `${NIST}-VPCNoUnrestrictedRouteToIGW`,
        `${HIPAA}-VPCNoUnrestrictedRouteToIGW`,
        `${PCI}-VPCNoUnrestrictedRouteToIGW`,
      ],
      `Network/Network/Resource/PublicSubnet${subnet}/DefaultRoute`,
      'The public tier exists to hold the NAT gateways, which need a default route to the internet gateway. ' +
        'No workload runs there: subnets do not assign public IPs, and the application and database tiers have no such route.',
    ),
  ),
  ...acknowledge(
    ['CloudFormation-Validate::W3010'],
    'Network/Network/Resource',
    'Availability zones are pinned in config on purpose: synthesis runs offline without lookups, and each ' +
      'tier is laid out with fixed CIDRs per zone. Moving to other zones is a reviewed config change.',
  ),
  ...acknowledge(
    ['CloudFormation-Validate::W3010'],
    'Data/Database',
    'The primary (when single-AZ) and each read replica are placed in a chosen AZ on purpose: replicas go to ' +
      "the AZs other than the primary's so reads survive the loss of one zone. The zones come from config.",
  ),
  ...acknowledge(
    [guard('lambda_inside_vpc_check')],
    'Network/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
    'aws-cdk-lib ships this singleton provider to strip the default security group (Vpc.restrictDefaultSecurityGroup). ' +
      'It runs only during deployment, calls only the EC2 API, handles no data, and its placement is not configurable.',
  ),
  ...[
    'Network/Network/FlowLogs/LogGroup',
    'Data/Database/Logs',
    'Data/Cache/Logs',
    'Compute/Web/ExecLogs',
    'Compute/Web/Logs',
    'Edge/WebAcl/Logs',
  ].flatMap((path) =>
    acknowledge(
      [guard('cloudwatch_log_group_retention_period_check')],
      path,
      'dev keeps logs for 14 days to stay cheap: it carries no production traffic or data. ' +
        'staging and prod keep them at least a year, as the control requires.',
      DEV_ONLY,
    ),
  ),

  // --- Data layer: PostgreSQL -------------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-RDS2', `${NIST}-RDSStorageEncrypted`, `${HIPAA}-RDSStorageEncrypted`, `${PCI}-RDSStorageEncrypted`],
    'Data/Database/Replicas',
    "Read replicas in the source region are always encrypted with the primary's key; CloudFormation rejects " +
      'StorageEncrypted next to SourceDBInstanceIdentifier (cfn-lint F3020), so the rules cannot see it.',
    WITH_REPLICAS,
  ),
  ...acknowledge(
    ['AwsSolutions-RDS3', `${NIST}-RDSMultiAZSupport`, `${HIPAA}-RDSMultiAZSupport`],
    'Data/Database/Replicas',
    "Replicas only scale reads and sit in the AZs other than the primary's, behind a weighted reader name; " +
      'the writer is Multi-AZ. A standby per replica would double their cost for no write availability.',
    WITH_REPLICAS,
  ),
  ...acknowledge(
    [
      'AwsSolutions-RDS3',
      `${NIST}-RDSMultiAZSupport`,
      `${HIPAA}-RDSMultiAZSupport`,
      guard('rds_instance_multi_az_support_check'),
      'AwsSolutions-RDS10',
      `${NIST}-RDSInstanceDeletionProtectionEnabled`,
      `${HIPAA}-RDSInstanceDeletionProtectionEnabled`,
      guard('rds_instance_deletion_protection_enabled_check'),
      `${NIST}-RDSEnhancedMonitoringEnabled`,
      `${HIPAA}-RDSEnhancedMonitoringEnabled`,
      guard('rds_instance_enhanced_monitoring_enabled_check'),
    ],
    'Data/Database/Resource',
    'dev runs one small single-AZ instance without deletion protection or enhanced monitoring: it is ' +
      'disposable by design, holds no production data, and staging proves the protected configuration.',
    DEV_ONLY,
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
    'Automated backups with point-in-time recovery (35 days in prod) protect the database today; the AWS Backup ' +
      'plan with cross-region copies belongs to the backup/DR layer, which is not built yet.',
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
    WITH_REPLICAS,
  ),

  // --- Data layer: cache ------------------------------------------------------------------------
  ...acknowledge(
    [
      'AwsSolutions-AEC4',
      guard('elasticache_repl_grp_auto_failover_enabled_check'),
      `${NIST}-ElastiCacheRedisClusterAutomaticBackup`,
      `${HIPAA}-ElastiCacheRedisClusterAutomaticBackup`,
    ],
    'Data/Cache/Resource',
    'dev runs a single cache node with one day of snapshots: the cache holds only rebuildable data and dev ' +
      'no production traffic; staging and prod fail over across AZs and keep 15 days of snapshots.',
    DEV_ONLY,
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
    'Authentication is role-based access control (a user group with the application user; the default user is ' +
      'off), which Control Tower requires for Redis 6+; this rule only recognises the older AUTH token.',
  ),
  ...acknowledge(
    ['AwsSolutions-SMG4', `${NIST}-SecretsManagerRotationEnabled`, `${HIPAA}-SecretsManagerRotationEnabled`],
    'Data/Cache/Credentials',
    'Secrets Manager has no managed rotation for ElastiCache users; rotating means a custom function that ' +
      'updates the user with two passwords in turn. Until it exists the password is 64 random characters, ' +
      'usable only over TLS from allowed security groups.',
  ),

  // --- Data layer: buckets ----------------------------------------------------------------------
  ...['Data/Uploads', 'Data/AccessLogs'].flatMap((path) =>
    acknowledge(
      [
        `${NIST}-S3BucketReplicationEnabled`,
        `${HIPAA}-S3BucketReplicationEnabled`,
        `${PCI}-S3BucketReplicationEnabled`,
      ],
      path,
      'Buckets are versioned and retained in staging and prod; copies in the DR region belong to the backup/DR ' +
        'layer, which is not built yet.',
    ),
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
    DEV_ONLY,
  ),
  // --- Compute layer ----------------------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::*]'],
    'Compute/Web/TaskRole',
    'ECS Exec (ssmmessages:Create/OpenControlChannel, Create/OpenDataChannel) and the X-Ray write APIs have ' +
      'no resource-level permissions; every other statement of the task role names its resource.',
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::*]'],
    'Compute/Web/ExecutionRole',
    'ecr:GetAuthorizationToken has no resource-level permissions; image pulls, logs and secrets are scoped ' +
      'to the repository, the log group and the two credential secrets.',
  ),
  ...acknowledge(
    ['AwsSolutions-IAM5[Resource::arn:aws:logs:{region}:{account}:log-group:<WebExecLogs5190C281>:*]'],
    'Compute/Web/TaskRole',
    'ECS Exec writes session logs to streams it creates in its own audit log group; the trailing :* names the ' +
      'streams of that one group.',
  ),
  ...acknowledge(
    [
      'AwsSolutions-IAM5[Resource::{"Fn::GetStackOutput":{"StackName":"{stage}-Data","Region":"{region}","OutputName":"PublishOutputFnGetAttUploads4F6EB0FDArnCD04500A"}}/*]',
    ],
    'Compute/Web/TaskRole',
    'The application reads and writes user uploads under any key of the uploads bucket (keys are per user ' +
      'and not known in advance); actions are named one by one, and the key is usable only through S3.',
  ),
  ...acknowledge(
    ['AwsSolutions-ECS2'],
    'Compute/Web/TaskDefinition',
    'Environment variables carry only non-secret configuration (host names, ports, database and bucket ' +
      'names); credentials are injected by ECS from Secrets Manager as secrets.',
  ),
  ...acknowledge(
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
    ],
    'Compute/Web/DeploymentRole',
    'AmazonECSInfrastructureRolePolicyForLoadBalancers is the policy AWS maintains for ECS native blue/green ' +
      'and canary deployments to move listener-rule weights; a copy of our own would drift from what ECS needs.',
    WITH_REPLICAS,
  ),
  ...acknowledge(
    ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]'],
    'Compute/Web/DeploymentProbe/Role',
    'AWSLambdaVPCAccessExecutionRole is the policy AWS maintains for a function in a VPC (its network ' +
      'interfaces and logs); the probe needs nothing else.',
    WITH_REPLICAS,
  ),
  ...acknowledge(
    [`${NIST}-LambdaConcurrency`, `${HIPAA}-LambdaConcurrency`],
    'Compute/Web/DeploymentProbe/Function',
    'ECS calls the probe once per deployment stage, so it never competes for concurrency; reserving some would ' +
      'fail to deploy in new accounts whose quota is 10, the minimum Lambda keeps unreserved.',
    WITH_REPLICAS,
  ),
  ...acknowledge(
    [`${NIST}-LambdaDLQ`, `${HIPAA}-LambdaDLQ`],
    'Compute/Web/DeploymentProbe/Function',
    'ECS invokes the probe synchronously and acts on its answer (or its failure, by rolling back); a ' +
      'dead-letter queue only catches asynchronous invocations.',
    WITH_REPLICAS,
  ),
  ...acknowledge(
    [`${NIST}-ALBWAFEnabled`, `${PCI}-ALBWAFEnabled`],
    'Compute/Web/LoadBalancer/Resource',
    'The load balancer is internal, with no route from the internet; the web ACL sits at the edge (CloudFront, ' +
      'CLOUDFRONT scope), the only way requests from browsers reach it.',
  ),
  ...acknowledge(
    [
      `${NIST}-ELBDeletionProtectionEnabled`,
      `${HIPAA}-ELBDeletionProtectionEnabled`,
      guard('elbv2_deletion_protection_enabled_check'),
    ],
    'Compute/Web/LoadBalancer/Resource',
    'dev is destroyed freely and holds no state in its load balancer; staging and prod have deletion protection.',
    DEV_ONLY,
  ),
  ...acknowledge(
    PLAIN_HTTP_LISTENER_RULES,
    'Compute/Web/LoadBalancer/Listener',
    'dev has no domain and so no certificate: its internal listener speaks HTTP inside the VPC only, and ' +
      'browsers reach it through CloudFront over HTTPS. Environments with a domain serve HTTPS with TLS 1.3.',
    DEV_ONLY,
  ),
  ...acknowledge(
    PLAIN_HTTP_LISTENER_RULES,
    'Compute/Web/LoadBalancer/TestListener',
    'The test listener (port 9000) serves only the deployment probe, which ECS points at a new revision during ' +
      'blue/green and canary deployments: the security group admits the probe alone, and no user traffic reaches it.',
    WITH_REPLICAS,
  ),
  ...acknowledge(
    [`${NIST}-CloudWatchAlarmAction`, `${HIPAA}-CloudWatchAlarmAction`, guard('cloudwatch_alarm_action_check')],
    'Compute/Web/RollbackAlarms',
    'These alarms act through ECS: a deployment in progress rolls back when one fires. Paging routes belong ' +
      'to the observability layer, which is not built yet.',
  ),
  ...acknowledge(
    [guard('cloudwatch_log_group_encrypted_check')],
    'Compute/Web',
    "The log groups are encrypted with the data layer's logs key, referenced across stacks with " +
      'Fn::GetStackOutput, which the rule cannot read; tests assert the key on every group.',
  ),
  ...acknowledge(
    [guard('elbv2_logging_enabled_check')],
    'Compute/Web/LoadBalancer/Resource',
    'Access logging is on (access_logs.s3.enabled); the bucket comes from the data layer through ' +
      'Fn::GetStackOutput, which the rule cannot read; tests assert the attributes.',
  ),
  ...acknowledge(
    [guard('lambda_inside_vpc_check')],
    'Compute/Web/DeploymentProbe/Function',
    'The probe runs in the application subnets (it must reach the internal test listener); the subnet IDs ' +
      'come from the network layer through Fn::GetStackOutput, which the rule cannot read.',
    WITH_REPLICAS,
  ),
  ...acknowledge(
    [guard('ecs_container_insights_enabled_check')],
    'Compute/Web/Cluster',
    'Container Insights is on in its enhanced mode (containerInsights: enhanced); the rule only accepts the ' +
      'value "enabled", the older, coarser mode.',
  ),
  // --- Edge layer -------------------------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-CFR3', guard('cloudfront_access_logs_enabled_check')],
    'Edge/Cdn/Resource',
    'Standard logs are on, as logging v2: CloudWatch Logs delivers them (Edge/Cdn/StandardLogs) as JSON to the ' +
      'access-logs bucket under a bucket policy. The rules only read the legacy Logging property, which needs bucket ACLs.',
  ),
  ...acknowledge(
    [
      'AwsSolutions-CFR4',
      guard('cloudfront_custom_ssl_certificate_check'),
      guard('cloudfront_sni_enabled_check'),
      guard('cloudfront_security_policy_check'),
    ],
    'Edge/Cdn/Resource',
    "dev has no domain, so it serves on the *.cloudfront.net name with CloudFront's default certificate, whose " +
      'security policy cannot be chosen. Environments with a domain use their own certificate, SNI and TLSv1.2_2021.',
    DEV_ONLY,
  ),
  ...acknowledge(
    ['AwsSolutions-CFR1'],
    'Edge/Cdn/Resource',
    'The app is served worldwide on purpose; geo restriction is available per environment in config ' +
      '(edge.geoRestriction) and the web ACL can block countries (edge.waf.blockedCountries).',
  ),
  ...acknowledge(
    [guard('cloudfront_default_root_object_configured_check')],
    'Edge/Cdn/Resource',
    'Next.js renders "/" itself; a default root object would rewrite "/" to a file the app does not serve.',
  ),
  ...acknowledge(
    [guard('cloudfront_origin_failover_enabled_check')],
    'Edge/Cdn/Resource',
    'Origin groups fail over only GET, HEAD and OPTIONS, while the app takes POSTs on every path; availability ' +
      'comes from the load balancer and tasks across three AZs. Failover to another region belongs to the DR layer.',
  ),
];

/**
 * Applies the registry to one environment's stage with `Validations.acknowledge`, the
 * mechanism both cdk-nag and the cfn-guard plugin honour.
 *
 * @returns the entries applied, with their full construct paths
 * @throws Error when an entry names a construct that does not exist: the registry is stale
 */
export function applyAcknowledgments(
  stage: Stage,
  environment: EnvironmentName,
  entries: readonly AcknowledgmentEntry[] = ACKNOWLEDGMENTS,
): AppliedAcknowledgment[] {
  return entries
    .filter((entry) => entry.environments === undefined || entry.environments.includes(environment))
    .map((entry) => {
      const target = findByPath(stage, entry.path);
      if (target === undefined) {
        throw new Error(
          `Acknowledgment "${entry.id}" names ${stage.node.path}/${entry.path}, which does not exist in ${environment}; update lib/acknowledgments.ts`,
        );
      }
      const id = entry.id
        .replaceAll('{stage}', stage.stageName)
        .replaceAll('{account}', stage.account ?? '')
        .replaceAll('{region}', stage.region ?? '');
      Validations.of(target).acknowledge({ id, reason: entry.reason });
      return { ...entry, id, environment, fullPath: target.node.path };
    });
}

/** An acknowledgment as applied to one environment. */
export interface AppliedAcknowledgment extends AcknowledgmentEntry {
  readonly environment: EnvironmentName;
  /** The construct path the acknowledgment was attached to. */
  readonly fullPath: string;
}

/** True when the acknowledgment covers the finding: same id, on the construct or below it. */
export function covers(ack: AppliedAcknowledgment, finding: Finding): boolean {
  return ack.id === finding.id && (finding.path === ack.fullPath || finding.path.startsWith(`${ack.fullPath}/`));
}

function findByPath(root: IConstruct, relativePath: string): IConstruct | undefined {
  let node: IConstruct | undefined = root;
  for (const segment of relativePath.split('/')) {
    node = node?.node.tryFindChild(segment);
  }
  return node;
}
