import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { SOURCE_KEYS } from './iam-service-trust-source-condition';
import type { DeployReadinessRule } from './rule';
import { asArray, conditionKeysOf, renderedProperties, servicePrincipalsOf, statementsOf } from './template';

/**
 * Every Allow statement of an `AWS::S3::BucketPolicy` whose principal is an AWS service checks
 * the request's source (`aws:SourceAccount`, `aws:SourceArn`, or the organization keys).
 *
 * One finding per statement and service: `<service>:<actions>`.
 */
export function S3BucketPolicyServiceSourceCondition(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::S3::BucketPolicy') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  let grantsService = false;
  for (const statement of statementsOf(renderedProperties(node).PolicyDocument)) {
    const services = servicePrincipalsOf(statement);
    if (statement.Effect !== 'Allow' || services.length === 0) {
      continue;
    }
    grantsService = true;
    const keys = conditionKeysOf(statement);
    if (!SOURCE_KEYS.some((key) => keys.has(key))) {
      const actions = asArray(statement.Action ?? statement.NotAction).join(',');
      services.forEach((service) => findings.add(`${service}:${actions}`));
    }
  }
  if (!grantsService) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

export const s3BucketPolicyServiceSourceCondition: DeployReadinessRule = {
  rule: S3BucketPolicyServiceSourceCondition,
  info:
    'A bucket-policy statement allows an AWS service principal without checking the source of the request. Add ' +
    'an aws:SourceAccount condition (and aws:SourceArn where the source resource is known) to the statement.',
  explanation:
    'A service principal acts for every customer of the service: without a source condition, a resource of that ' +
    'service in another account can be pointed at this bucket and write or read through the grant (cross-service ' +
    'confused deputy).',
};
