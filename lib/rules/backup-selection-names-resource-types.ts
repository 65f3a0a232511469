import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { isObject, renderedProperties } from './template';

/**
 * An `AWS::Backup::BackupSelection` names the resource types it protects (`Resources`, ARNs or ARN
 * patterns), narrowing them by tag with `Conditions`, rather than selecting by `ListOfTags` alone.
 */
export function BackupSelectionNamesResourceTypes(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Backup::BackupSelection') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const selection = renderedProperties(node).BackupSelection;
  if (!isObject(selection)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resources = selection.Resources;
  const named = Array.isArray(resources) ? resources.length > 0 : resources !== undefined;
  return named ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const backupSelectionNamesResourceTypes: DeployReadinessRule = {
  rule: BackupSelectionNamesResourceTypes,
  info:
    'The backup selection picks resources by tags alone. Name the resource types by ARN pattern in Resources ' +
    '(e.g. arn:<partition>:rds:<region>:<account>:db:*) and narrow them with Conditions on aws:ResourceTag/<key>.',
  explanation:
    "A selection by tags alone obeys the region's AWS Backup opt-in settings (UpdateRegionSettings, which " +
    'CloudFormation cannot set): tagged resources of a type not opted in are skipped without an error, and the ' +
    'first sign is a restore that finds no recovery point. Types named by ARN are backed up regardless.',
};
