import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { renderResource } from './template';

/**
 * An `AWS::RDS::DBInstance` read replica (`SourceDBInstanceIdentifier`) states `DeletionPolicy:
 * Delete`: CloudFormation ignores any other deletion policy on a read replica.
 */
export function RdsReplicaDeletionPolicyDelete(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::RDS::DBInstance') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const rendered = renderResource(node);
  if (rendered?.Properties?.SourceDBInstanceIdentifier === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const policy = rendered.DeletionPolicy ?? 'Delete';
  return policy === 'Delete' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const rdsReplicaDeletionPolicyDelete: DeployReadinessRule = {
  rule: RdsReplicaDeletionPolicyDelete,
  info:
    'The read replica has a DeletionPolicy other than Delete, which CloudFormation ignores on read replicas. Use ' +
    'RemovalPolicy.DESTROY and keep the replica with deletion protection (DeletionProtection: true) instead.',
  explanation:
    'The AWS::RDS::DBInstance reference says read replicas do not support deletion policies: a stack delete or a ' +
    'removal from the template deletes the replica without a snapshot whatever the template says. A Retain or ' +
    'Snapshot there promises a copy that will not exist; deletion protection is what actually refuses the delete.',
};
