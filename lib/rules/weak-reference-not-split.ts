import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import { isObject, renderResource } from './template';

/** Every `Fn::Split` in `value` whose source is a `Fn::GetStackOutput`, as `<output name>`. */
function splitWeakReferences(value: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((item) => splitWeakReferences(item, found));
  } else if (isObject(value)) {
    const split = value['Fn::Split'];
    if (Array.isArray(split) && isObject(split[1]) && isObject(split[1]['Fn::GetStackOutput'])) {
      found.add(String(split[1]['Fn::GetStackOutput'].OutputName));
    }
    Object.values(value).forEach((item) => splitWeakReferences(item, found));
  }
  return found;
}

/**
 * No resource splits a weak cross-stack reference: `Fn::Split` does not list `Fn::GetStackOutput`
 * among the functions it accepts. aws-cdk-lib splits ARNs to derive names (a proxy's resource id, a
 * load balancer's full name from a listener ARN); read from another stack, that ARN arrives as a
 * weak reference.
 */
export function WeakReferenceNotSplit(node: CfnResource): NagRuleResult {
  const rendered = renderResource(node);
  if (rendered === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const found = splitWeakReferences(rendered.Properties ?? {}, new Set());
  return found.size > 0 ? [...found].map((output) => `Split:${output}`) : NagRuleCompliance.COMPLIANT;
}

export const weakReferenceNotSplit: DeployReadinessRule = {
  rule: WeakReferenceNotSplit,
  info:
    'A property splits a value read from another stack with Fn::GetStackOutput. Fn::Split does not accept ' +
    'Fn::GetStackOutput (cfn-lint E1022): derive the value in the producing stack (a resource attribute such ' +
    'as LoadBalancerFullName, or a statement or policy built there) and read that instead.',
  explanation:
    'The functions Fn::Split accepts are listed in the CloudFormation reference, and Fn::GetStackOutput is not ' +
    'among them. aws-cdk-lib derives names by splitting ARNs, which is harmless in one stack and breaks once the ' +
    'ARN crosses stacks as a weak reference.',
};
