import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { asArray, renderResource } from './template';

/**
 * Every `AWS::EC2::SecurityGroup` carries at least one inline `SecurityGroupEgress` rule.
 *
 * Without one, EC2 gives the new group its default allow-all egress rule, whatever standalone
 * `AWS::EC2::SecurityGroupEgress` resources add next; CloudFormation removes that default only
 * when the template lists inline egress. A group meant to allow all outbound says so inline
 * (CDK's `allowAllOutbound: true` renders `0.0.0.0/0`); a group meant to allow nothing carries
 * CDK's "Disallow all traffic" placeholder.
 */
export function SecurityGroupInlineEgress(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::EC2::SecurityGroup') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = renderResource(node);
  if (resource === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return asArray(resource.Properties?.SecurityGroupEgress).length > 0
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}

export const securityGroupInlineEgress: DeployReadinessRule = {
  rule: SecurityGroupInlineEgress,
  info:
    'The security group has no inline SecurityGroupEgress, so EC2 creates it with its default allow-all egress ' +
    'rule. Give it an explicit inline egress rule: the allowed destinations, 0.0.0.0/0 if all outbound is ' +
    'intended, or the "Disallow all traffic" placeholder (e.g. constructs/shared closed egress) if none is.',
  explanation:
    'CloudFormation revokes the default allow-all egress rule only when the template lists inline egress rules. ' +
    'CDK drops its "Disallow all traffic" placeholder before it decides to render some egress rules as separate ' +
    'AWS::EC2::SecurityGroupEgress resources, so a group built with allowAllOutbound: false can end up allowing ' +
    'all outbound traffic.',
};
