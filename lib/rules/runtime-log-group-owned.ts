import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import {
  dependsOnOf,
  isObject,
  logicalIdOf,
  referencedLogicalId,
  referencedLogicalIds,
  renderResource,
  renderStackTemplate,
  type RenderedResource,
  type RenderedTemplate,
} from './template';

/** The parts of a log group name: literal text and references (`{ Ref }`, `{ Fn::GetAtt }`). */
type NamePart = string | { readonly ref: string; readonly attribute?: string };

/** A log group's `LogGroupName` as parts: a literal, or an `Fn::Join` with an empty separator. */
function nameParts(name: unknown): NamePart[] | undefined {
  if (typeof name === 'string') {
    return [name];
  }
  if (!isObject(name) || !Array.isArray(name['Fn::Join'])) {
    return undefined;
  }
  const [separator, items] = name['Fn::Join'] as [unknown, unknown];
  if (separator !== '' || !Array.isArray(items)) {
    return undefined;
  }
  return items.map((item): NamePart => {
    if (typeof item === 'string') return item;
    const ref = referencedLogicalId(item);
    const getAtt = isObject(item) ? item['Fn::GetAtt'] : undefined;
    return { ref: ref ?? JSON.stringify(item), attribute: Array.isArray(getAtt) ? String(getAtt[1]) : undefined };
  });
}

function sameName(actual: NamePart[] | undefined, expected: NamePart[]): boolean {
  if (actual === undefined) return false;
  // Adjacent literals may be split differently: compare with literals merged.
  const merge = (parts: NamePart[]) =>
    parts.reduce<NamePart[]>((out, part) => {
      const last = out[out.length - 1];
      if (typeof part === 'string' && typeof last === 'string') out[out.length - 1] = last + part;
      else if (part !== '') out.push(part);
      return out;
    }, []);
  return JSON.stringify(merge(actual)) === JSON.stringify(merge(expected));
}

/** The logical IDs of the template's log groups named `expected`. */
function logGroupsNamed(template: RenderedTemplate, expected: NamePart[]): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::Logs::LogGroup' && sameName(nameParts(resource.Properties?.LogGroupName), expected),
    )
    .map(([id]) => id);
}

/** True when `resource` depends on one of `logGroups` through DependsOn. */
function waitsForOneOf(resource: RenderedResource, logGroups: string[]): boolean {
  return dependsOnOf(resource).some((id) => logGroups.includes(id));
}

function lambdaFunction(node: CfnResource, self: RenderedResource): NagRuleResult {
  const logging = self.Properties?.LoggingConfig;
  if (isObject(logging) && logging.LogGroup !== undefined) {
    return NagRuleCompliance.COMPLIANT;
  }
  const id = logicalIdOf(node);
  const template = renderStackTemplate(node);
  const name = self.Properties?.FunctionName;
  const expected: NamePart[] = ['/aws/lambda/', typeof name === 'string' ? name : { ref: id }];
  const groups = logGroupsNamed(template, expected);
  if (groups.length === 0) {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  // Custom resources invoke the function during the deploy: each must wait for the group.
  const invokers = Object.values(template.Resources ?? {}).filter((resource) => {
    const token = resource.Properties?.ServiceToken;
    return referencedLogicalId(token) === id;
  });
  return invokers.every((invoker) => waitsForOneOf(invoker, groups))
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}

function rotationSchedule(node: CfnResource, self: RenderedResource): NagRuleResult {
  const hosted = self.Properties?.HostedRotationLambda;
  if (!isObject(hosted)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const name = hosted.RotationLambdaName;
  if (typeof name !== 'string') {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  const groups = logGroupsNamed(renderStackTemplate(node), ['/aws/lambda/', name]);
  return waitsForOneOf(self, groups) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

function ecsCluster(node: CfnResource, self: RenderedResource): NagRuleResult {
  const settings = Array.isArray(self.Properties?.ClusterSettings) ? self.Properties.ClusterSettings : [];
  const insights = settings.some(
    (setting: unknown) =>
      isObject(setting) &&
      setting.Name === 'containerInsights' &&
      (setting.Value === 'enabled' || setting.Value === 'enhanced'),
  );
  if (!insights) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const name = self.Properties?.ClusterName;
  if (typeof name !== 'string') {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  const groups = logGroupsNamed(renderStackTemplate(node), [`/aws/ecs/containerinsights/${name}/performance`]);
  return waitsForOneOf(self, groups) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

function canary(node: CfnResource, self: RenderedResource): NagRuleResult {
  const name = self.Properties?.Name;
  if (typeof name !== 'string' || self.Properties?.StartCanaryAfterCreation === true) {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  const id = logicalIdOf(node);
  const template = renderStackTemplate(node);
  const groups = logGroupsNamed(template, [`/aws/lambda/cwsyn-${name}-`, { ref: id, attribute: 'Id' }]);
  // Created stopped, something must start it once its group exists: a resource that names the
  // canary and waits for the group (a starter custom resource).
  const starters = Object.entries(template.Resources ?? {}).filter(
    ([otherId, resource]) =>
      otherId !== id &&
      resource.Type !== 'AWS::Logs::LogGroup' &&
      referencedLogicalIds(resource.Properties).has(id) &&
      waitsForOneOf(resource, groups),
  );
  return groups.length > 0 && starters.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

/**
 * Every log group a service creates at run time for a resource of the template is created by the
 * template first, so that it has a key and a retention, and before the service could write to it:
 *
 * - a Lambda function has `LoggingConfig.LogGroup`, or a log group named `/aws/lambda/<name>`
 *   (its `FunctionName`, or `Ref` to it) that every custom resource it serves depends on;
 * - a hosted rotation's function (`HostedRotationLambda.RotationLambdaName`): a log group of that
 *   name the schedule depends on;
 * - an ECS cluster with Container Insights: a fixed `ClusterName` and the log group
 *   `/aws/ecs/containerinsights/<name>/performance`, which the cluster depends on;
 * - a Synthetics canary: created stopped (`StartCanaryAfterCreation` not true), a log group
 *   `/aws/lambda/cwsyn-<name>-<Id>`, and a resource naming the canary that waits for the group (what
 *   starts it).
 */
export function RuntimeLogGroupOwned(node: CfnResource): NagRuleResult {
  const self = renderResource(node);
  if (self === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  switch (node.cfnResourceType) {
    case 'AWS::Lambda::Function':
      return lambdaFunction(node, self);
    case 'AWS::SecretsManager::RotationSchedule':
      return rotationSchedule(node, self);
    case 'AWS::ECS::Cluster':
      return ecsCluster(node, self);
    case 'AWS::Synthetics::Canary':
      return canary(node, self);
    default:
      return NagRuleCompliance.NOT_APPLICABLE;
  }
}

export const runtimeLogGroupOwned: DeployReadinessRule = {
  rule: RuntimeLogGroupOwned,
  info:
    'A service will create a log group for this resource at run time (a Lambda function, a hosted rotation ' +
    'function, Container Insights, a canary), unencrypted and never expiring, and the template cannot take it ' +
    'over later ("already exists"). Create the log group in the template, with a key and a retention, and make ' +
    'whatever first runs the resource wait for it (LoggingConfig for a function; DependsOn on the group for ' +
    'custom resources, rotation schedules and clusters; a canary created stopped and started after its group).',
  explanation:
    'Log groups that Lambda, ECS or Synthetics create on first write carry no KMS key and no retention; once one ' +
    'exists, adding an AWS::Logs::LogGroup of the same name fails the deploy. The issue tracker has the canary ' +
    'case (aws/aws-cdk#23718: /aws/lambda/cwsyn-<name>-<id>).',
};
