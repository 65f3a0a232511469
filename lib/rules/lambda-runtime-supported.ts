import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { HOSTED_ROTATION_DEFAULT_RUNTIME, RUNTIME_NOTICE_DAYS, runtimeProblem } from './lambda-runtimes';
import type { DeployReadinessRule } from './rule';
import { isObject, renderedProperties } from './template';

/**
 * The rule checked on a fixed day. The pack passes the real clock; tests pass a date, so the
 * rule's verdict on a given template changes only on the dates in the runtime table.
 */
export function lambdaRuntimeSupportedOn(today: () => Date): (node: CfnResource) => NagRuleResult {
  const rule = (node: CfnResource): NagRuleResult => {
    const deployed = runtimeOf(node);
    if (deployed === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    if (typeof deployed.runtime !== 'string') {
      return [`Unresolved:${JSON.stringify(deployed.runtime)}`];
    }
    if (deployed.runtime === 'Pinned') {
      return [`Pinned:${MANAGED_ROTATION_TRANSFORM}`];
    }
    const problem = runtimeProblem(deployed.runtime, today());
    if (problem === undefined) {
      return NagRuleCompliance.COMPLIANT;
    }
    return [deployed.defaulted ? `Default:${problem}` : problem];
  };
  // cdk-nag names the rule after the function.
  return Object.defineProperty(rule, 'name', { value: 'LambdaRuntimeSupported' });
}

/**
 * The runtime `node` deploys, `undefined` when it has none to check (container images, custom
 * runtimes given elsewhere). A hosted rotation function without `Runtime` gets the default.
 */
function runtimeOf(node: CfnResource): { runtime: unknown; defaulted: boolean } | undefined {
  switch (node.cfnResourceType) {
    case 'AWS::Lambda::Function':
    case 'AWS::Serverless::Function': {
      // No Runtime: a container image (PackageType Image), or a SAM function whose Runtime comes
      // from the template's Globals, which CDK does not write.
      const runtime = renderedProperties(node).Runtime;
      return runtime === undefined ? undefined : { runtime, defaulted: false };
    }
    case 'AWS::SecretsManager::RotationSchedule': {
      const hosted = renderedProperties(node).HostedRotationLambda;
      if (!isObject(hosted)) {
        return undefined;
      }
      if (usesManagedRotationTransform(node)) {
        // The 2024-09-16 transform vends the function with the runtime its binaries are built for
        // and moves it on every stack update; the reference says not to set Runtime then, since a
        // pinned runtime loads binaries built for another Python (aws/aws-cdk#35503).
        return hosted.Runtime === undefined ? undefined : { runtime: 'Pinned', defaulted: false };
      }
      return hosted.Runtime === undefined
        ? { runtime: HOSTED_ROTATION_DEFAULT_RUNTIME, defaulted: true }
        : { runtime: hosted.Runtime, defaulted: false };
    }
    default:
      return undefined;
  }
}

/** Transform under which AWS, not the template, chooses the hosted rotation function's runtime. */
export const MANAGED_ROTATION_TRANSFORM = 'AWS::SecretsManager-2024-09-16';

function usesManagedRotationTransform(node: CfnResource): boolean {
  return (Stack.of(node).templateOptions.transforms ?? []).includes(MANAGED_ROTATION_TRANSFORM);
}

/** The rule on today's date. */
export const LambdaRuntimeSupported = lambdaRuntimeSupportedOn(() => new Date());

export const lambdaRuntimeSupported: DeployReadinessRule = {
  rule: LambdaRuntimeSupported,
  info:
    `The function's Lambda runtime reaches end of support within ${RUNTIME_NOTICE_DAYS} days or already has, or is ` +
    'not in the runtime table (lib/rules/lambda-runtimes.ts). Set a supported runtime. A hosted rotation function ' +
    `under the 2020-07-23 transform without Runtime gets ${HOSTED_ROTATION_DEFAULT_RUNTIME}: move to the ` +
    `${MANAGED_ROTATION_TRANSFORM} transform (aws-cdk-lib's default), which vends a current runtime, and leave ` +
    'Runtime unset there (Pinned: a pinned runtime breaks its binaries). A new runtime: add its date from the ' +
    'Lambda runtimes page.',
  explanation:
    'After a runtime reaches end of support, Lambda blocks creating and then updating functions that use it, so ' +
    'a new environment or the next deploy of a change fails. The finding names the runtime and its date. The rule ' +
    'starts failing on a date without a code change, on purpose: that is the deadline to upgrade.',
};
