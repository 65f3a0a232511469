/**
 * Whether an AWS service sends `aws:SourceAccount` / `aws:SourceArn` when it calls
 * `sts:AssumeRole` on a role in our account. A trust-policy condition on a key the service does
 * not send makes the role impossible to assume (a positive condition on a missing key is false),
 * so the rule demands the condition only where the service is known to send it, and reports
 * every service principal it has no entry for: add one, with its source, after checking the
 * service's "Cross-service confused deputy prevention" documentation. AWS publishes no list of
 * the services that send these keys on AssumeRole (AWS Support, quoted in prowler-cloud/prowler#2810).
 */
export interface ServicePrincipalEntry {
  /** True when the service sends the keys on AssumeRole, so the trust policy must check one. */
  readonly sendsSourceKeys: boolean;
  /** Where that is documented. */
  readonly source: string;
}

export const SERVICE_PRINCIPALS: Readonly<Record<string, ServicePrincipalEntry>> = {
  'ecs-tasks.amazonaws.com': {
    sendsSourceKeys: true,
    source:
      'Amazon ECS Developer Guide, "Amazon ECS task IAM role" (trust policy example with aws:SourceAccount and ' +
      'aws:SourceArn): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html',
  },
  'ecs.amazonaws.com': {
    sendsSourceKeys: true,
    source:
      'Amazon ECS Developer Guide, "Amazon ECS infrastructure IAM role" and the blue/green load-balancer role ' +
      '(ecs.amazonaws.com trust): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html',
  },
  'lambda.amazonaws.com': {
    sendsSourceKeys: false,
    source:
      'The Lambda Developer Guide documents no aws:SourceAccount / aws:SourceArn on the execution-role trust ' +
      '(https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html: the trust names only the ' +
      'service principal), and prowler-cloud/prowler#2810 lists Lambda among the services whose role assumption ' +
      'carries no source context. A condition that Lambda might not satisfy would make every function ' +
      'undeployable, so none is demanded; the execution role is only usable by functions of this account, which ' +
      'pass it with iam:PassRole.',
  },
  'backup.amazonaws.com': {
    sendsSourceKeys: false,
    source:
      "The AWS Backup Developer Guide's service role (AWSBackupDefaultServiceRole) trusts backup.amazonaws.com with " +
      'no condition (https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html), and ' +
      'prowler-cloud/prowler#2810 lists Backup among the services whose role assumption carries no source ' +
      'context: a condition would make every backup, copy and restore job fail. The role is only usable by plans ' +
      'of this account, which pass it with iam:PassRole.',
  },
  's3.amazonaws.com': {
    sendsSourceKeys: true,
    source:
      'Amazon S3 User Guide, "Setting up permissions for live replication" (replication role trust with ' +
      'aws:SourceAccount and aws:SourceArn): ' +
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html',
  },
  'monitoring.rds.amazonaws.com': {
    sendsSourceKeys: true,
    source:
      'Amazon RDS User Guide, "Setting up and enabling Enhanced Monitoring" (confused deputy: aws:SourceArn / ' +
      'aws:SourceAccount in the monitoring role trust): ' +
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html',
  },
  'rds.amazonaws.com': {
    sendsSourceKeys: true,
    source:
      'Amazon RDS User Guide, "Cross-service confused deputy prevention" (rds.amazonaws.com, e.g. the RDS Proxy ' +
      'role): https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/cross-service-confused-deputy-prevention.html',
  },
  'vpc-flow-logs.amazonaws.com': {
    sendsSourceKeys: true,
    source:
      'Amazon VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs" (trust policy with ' +
      'aws:SourceAccount and aws:SourceArn): https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html',
  },
  'eks.amazonaws.com': {
    sendsSourceKeys: false,
    source:
      'AWS Support, quoted in prowler-cloud/prowler#4745: EKS does not support aws:SourceAccount/aws:SourceArn ' +
      'conditions on its cluster role trust.',
  },
  'ec2.amazonaws.com': {
    sendsSourceKeys: false,
    source:
      'Instance profiles: EC2 assumes the role for the instance, without a source resource of the caller; see ' +
      'prowler-cloud/prowler#2810 (false positives for ec2.amazonaws.com).',
  },
};
