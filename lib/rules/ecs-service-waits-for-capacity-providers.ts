import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import {
  asArray,
  dependsOnOf,
  isObject,
  referencedLogicalId,
  renderResource,
  renderStackTemplate,
  type RenderedResource,
} from './template';

const ASSOCIATIONS = 'AWS::ECS::ClusterCapacityProviderAssociations';
const CLUSTER = 'AWS::ECS::Cluster';

/**
 * An ECS service with a `CapacityProviderStrategy` has a direct DependsOn on the
 * `AWS::ECS::ClusterCapacityProviderAssociations` of its cluster (the one whose `Cluster` is the
 * same value as the service's). Launch-type services and services without a strategy are N/A.
 *
 * Every provider of the strategy must also be associated: listed by such an association or on the
 * cluster itself (`CapacityProviders`, which the service's reference to the cluster orders). A
 * cluster of another stack, or one given by name, is deployed before this stack: N/A.
 *
 * Findings: `<association logical id>` not depended on; `NotAssociated:<provider>` for a provider
 * of the strategy that nothing associates with the cluster.
 */
export function EcsServiceWaitsForCapacityProviders(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ECS::Service') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const service = renderResource(node);
  const strategy = asArray(service?.Properties?.CapacityProviderStrategy).filter(isObject);
  if (service === undefined || strategy.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resources = renderStackTemplate(node).Resources ?? {};
  const cluster = JSON.stringify(service.Properties?.Cluster ?? null);
  const associations = Object.entries(resources).filter(
    ([, resource]) =>
      resource.Type === ASSOCIATIONS && JSON.stringify(resource.Properties?.Cluster ?? null) === cluster,
  );
  const clusterId = referencedLogicalId(service.Properties?.Cluster);
  const clusterResource: RenderedResource | undefined = clusterId === undefined ? undefined : resources[clusterId];
  if (associations.length === 0 && clusterResource?.Type !== CLUSTER) {
    // A cluster of another stack, or given by name/ARN: its providers exist before this stack deploys.
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const dependsOn = dependsOnOf(service);
  const findings = associations.map(([id]) => id).filter((id) => !dependsOn.includes(id));
  // Every provider of the strategy must be associated, by an association or on the cluster itself.
  const associated = new Set(
    [...associations.map(([, a]) => a), ...(clusterResource?.Type === CLUSTER ? [clusterResource] : [])]
      .flatMap((resource) => asArray(resource.Properties?.CapacityProviders))
      .map((provider) => JSON.stringify(provider)),
  );
  for (const item of strategy) {
    if (!associated.has(JSON.stringify(item.CapacityProvider))) {
      const provider =
        typeof item.CapacityProvider === 'string'
          ? item.CapacityProvider
          : (referencedLogicalId(item.CapacityProvider) ?? '?');
      findings.push(`NotAssociated:${provider}`);
    }
  }
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}

export const ecsServiceWaitsForCapacityProviders: DeployReadinessRule = {
  rule: EcsServiceWaitsForCapacityProviders,
  info:
    'The ECS service uses a capacity-provider strategy but does not depend on the ' +
    "AWS::ECS::ClusterCapacityProviderAssociations of its cluster. Add a DependsOn on the cluster's association " +
    '(e.g. service.node.addDependency(cluster) or cfnService.addDependency(association)); if the cluster has no ' +
    'association, list the providers on the cluster.',
  explanation:
    'CloudFormation may create the service before the cluster has its capacity providers associated; the create ' +
    'then fails with "The specified capacity provider strategy cannot contain a capacity provider that is not ' +
    'associated with the cluster". CDK adds the association through an aspect, so nothing orders the two unless ' +
    'the service depends on it.',
};
