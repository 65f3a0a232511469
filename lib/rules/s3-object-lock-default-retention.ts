import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { isObject, renderedProperties } from './template';

/**
 * An `AWS::S3::Bucket` with `ObjectLockEnabled: true` has a default retention
 * (`ObjectLockConfiguration.Rule.DefaultRetention` with a `Mode` and `Days` or `Years`).
 */
export function S3ObjectLockDefaultRetention(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::S3::Bucket') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const properties = renderedProperties(node);
  if (properties.ObjectLockEnabled !== true && properties.ObjectLockEnabled !== 'true') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const configuration = properties.ObjectLockConfiguration;
  const rule = isObject(configuration) ? configuration.Rule : undefined;
  const retention = isObject(rule) ? rule.DefaultRetention : undefined;
  const complete =
    isObject(retention) &&
    retention.Mode !== undefined &&
    (retention.Days !== undefined || retention.Years !== undefined);
  return complete ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const s3ObjectLockDefaultRetention: DeployReadinessRule = {
  rule: S3ObjectLockDefaultRetention,
  info:
    'The bucket enables Object Lock without a default retention. Set ObjectLockConfiguration.Rule.DefaultRetention ' +
    '(Mode GOVERNANCE or COMPLIANCE, and Days or Years, e.g. s3.ObjectLockRetention.governance(...)), or do not ' +
    'enable Object Lock.',
  explanation:
    'Object Lock without a default retention protects no object unless every writer sets a retention on each ' +
    'PUT, which log-delivery services do not; the bucket pays for versioning and lock without the protection.',
};
