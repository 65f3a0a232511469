import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { renderResource } from './template';

/** Deletion policies that keep the instance without the delete handler's help. */
const KEEPING_POLICIES = ['Retain', 'RetainExceptOnCreate'];

/**
 * An `AWS::RDS::DBInstance` read replica (`SourceDBInstanceIdentifier`) is kept when it leaves its
 * stack (`DeletionPolicy` Retain or RetainExceptOnCreate): once promoted by hand it is a standalone
 * database, which `Delete` drops and `Snapshot` does not save.
 */
export function RdsReplicaKeptIfPromoted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::RDS::DBInstance') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const rendered = renderResource(node);
  if (rendered?.Properties?.SourceDBInstanceIdentifier === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return KEEPING_POLICIES.includes(String(rendered.DeletionPolicy ?? 'Delete'))
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}

export const rdsReplicaKeptIfPromoted: DeployReadinessRule = {
  rule: RdsReplicaKeptIfPromoted,
  info:
    'The read replica is deleted with its stack (DeletionPolicy Delete or Snapshot). Use ' +
    'RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (with deletion protection), or acknowledge it where the ' +
    'environment is disposable.',
  explanation:
    'A replica is promoted by hand in a failover, and its template still names the source. The DBInstance ' +
    'delete handler takes no final snapshot of what the template calls a replica, so Snapshot saves nothing and ' +
    'Delete drops what is now the only writable copy of the data. (The AWS::RDS::DBInstance reference says ' +
    'deletion policies are ignored on replicas; a Retain policy is applied by CloudFormation before any handler ' +
    'runs, and keeps the promoted instance.)',
};
