import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { renderResource } from './template';

/**
 * The property that gives a resource type a fixed name, unique in the account and region: a
 * resource kept with that name makes a second create of it fail ("already exists").
 */
export const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::RDS::DBCluster': 'DBClusterIdentifier',
  'AWS::RDS::DBSubnetGroup': 'DBSubnetGroupName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Backup::BackupVault': 'BackupVaultName',
};

/**
 * A resource with a fixed name is not kept with `DeletionPolicy: Retain` when the stack's first
 * create rolls back: `RetainExceptOnCreate` keeps it on update and delete but removes it then.
 */
export function RetainedNameReleasedOnFailedCreate(node: CfnResource): NagRuleResult {
  const nameProperty = NAME_PROPERTIES[node.cfnResourceType];
  if (nameProperty === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const rendered = renderResource(node);
  if (rendered?.Properties?.[nameProperty] === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return rendered.DeletionPolicy === 'Retain' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

export const retainedNameReleasedOnFailedCreate: DeployReadinessRule = {
  rule: RetainedNameReleasedOnFailedCreate,
  info:
    "The resource has a fixed name and DeletionPolicy Retain: if the stack's first create fails and rolls back, " +
    'the resource stays and every retry fails with "already exists". Use RetainExceptOnCreate ' +
    '(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE): kept on update and delete, removed on a failed first create.',
  explanation:
    'CloudFormation keeps Retain resources even when it rolls back the create that made them; named resources ' +
    'then block the next attempt until someone deletes them by hand (AWS, "CloudFormation deletion policies for ' +
    'dev/test cycles", RetainExceptOnCreate, 2023).',
};
