import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { asArray, isObject, referencedLogicalId, renderStackTemplate, renderedProperties } from './template';

const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';
const RULE_FIELDS = ['ProductionListenerRule', 'TestListenerRule'] as const;

/**
 * An ECS service deploying blue/green (`LoadBalancers[].AdvancedConfiguration`) names no listener
 * rule that is a CloudFormation-managed `AWS::ElasticLoadBalancingV2::ListenerRule` of its stack.
 *
 * One finding per listener rule, `<field>:<logical id>`.
 */
export function EcsBlueGreenListenerRuleUnmanaged(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ECS::Service') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const advanced = asArray(renderedProperties(node).LoadBalancers)
    .filter(isObject)
    .map((loadBalancer) => loadBalancer.AdvancedConfiguration)
    .filter(isObject);
  if (advanced.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resources = renderStackTemplate(node).Resources ?? {};
  const findings = advanced.flatMap((config) =>
    RULE_FIELDS.flatMap((field) => {
      const id = referencedLogicalId(config[field]);
      return id !== undefined && resources[id]?.Type === LISTENER_RULE ? [`${field}:${id}`] : [];
    }),
  );
  return findings.length > 0 ? [...new Set(findings)] : NagRuleCompliance.COMPLIANT;
}

export const ecsBlueGreenListenerRuleUnmanaged: DeployReadinessRule = {
  rule: EcsBlueGreenListenerRuleUnmanaged,
  info:
    'The ECS service deploys blue/green through a listener rule that CloudFormation manages as ' +
    'AWS::ElasticLoadBalancingV2::ListenerRule. Create that listener rule through a resource whose updates never ' +
    "send the rule's Actions (e.g. the project's custom resource), so ECS stays the only writer of its forward action.",
  explanation:
    'During a blue/green deployment ECS rewrites the production and test listener rules to forward to the new ' +
    'target group. Any later stack update of an AWS::ElasticLoadBalancingV2::ListenerRule puts back the Actions ' +
    'of the template (forward to blue), which can send production to a target group with no registered targets ' +
    '(aws/aws-cdk#36649).',
};
