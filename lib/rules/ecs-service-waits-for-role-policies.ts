import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import {
  asArray,
  referencedLogicalId,
  referencedLogicalIds,
  renderResource,
  renderStackTemplate,
  waitsFor,
  type RenderedResource,
} from './template';

const ROLE = 'AWS::IAM::Role';
const TASK_DEFINITION = 'AWS::ECS::TaskDefinition';

/**
 * An ECS service waits (DependsOn, or a reference) for every IAM policy of every role it uses:
 * the roles its own properties name (deployment lifecycle-hook roles, the blue/green
 * infrastructure role, the legacy service role, EBS/Service Connect roles) and the roles of its
 * task definition (execution role and task role). A policy of a role is an `AWS::IAM::Policy` or
 * `AWS::IAM::ManagedPolicy` whose `Roles` names the role, or an `AWS::IAM::RolePolicy` whose
 * `RoleName` does. Managed policies in the role's own `ManagedPolicyArns` are ordered by the
 * role's reference to them. Roles and policies of other stacks deploy before this stack: N/A.
 *
 * One finding per policy the service does not wait for: `<policy logical id>`.
 */
export function EcsServiceWaitsForRolePolicies(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ECS::Service') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const service = renderResource(node);
  if (service === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resources = renderStackTemplate(node).Resources ?? {};
  const roles = new Set<string>();
  const addRolesOf = (value: unknown): void => {
    for (const id of referencedLogicalIds(value)) {
      if (resources[id]?.Type === ROLE) {
        roles.add(id);
      }
    }
  };
  addRolesOf(service.Properties);
  const taskDefinitionId = referencedLogicalId(service.Properties?.TaskDefinition);
  const taskDefinition = taskDefinitionId === undefined ? undefined : resources[taskDefinitionId];
  if (taskDefinition?.Type === TASK_DEFINITION) {
    addRolesOf(taskDefinition.Properties);
  }
  if (roles.size === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const missing = Object.entries(resources)
    .filter(([, resource]) => policyRoles(resource).some((role) => roles.has(role)))
    .map(([id]) => id)
    .filter((id) => !waitsFor(service, id));
  return missing.length > 0 ? missing : NagRuleCompliance.COMPLIANT;
}

/** Logical IDs of the roles a policy resource attaches to; `[]` for any other resource. */
function policyRoles(resource: RenderedResource): string[] {
  switch (resource.Type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return asArray(resource.Properties?.Roles).flatMap((role) => referencedLogicalId(role) ?? []);
    case 'AWS::IAM::RolePolicy':
      return asArray(resource.Properties?.RoleName).flatMap((role) => referencedLogicalId(role) ?? []);
    default:
      return [];
  }
}

export const ecsServiceWaitsForRolePolicies: DeployReadinessRule = {
  rule: EcsServiceWaitsForRolePolicies,
  info:
    'The ECS service does not depend on a policy of a role it or its task definition uses (execution role, task ' +
    'role, lifecycle-hook role, load-balancer infrastructure role). Add a DependsOn on the policy ' +
    '(e.g. service.node.addDependency(role), which covers the role and its policies).',
  explanation:
    'A role referenced by the service is created before it, but a policy attached to the role by a separate ' +
    'resource is not ordered: ECS can start tasks, pull images or invoke lifecycle hooks before the policy is ' +
    'attached (and IAM has propagated it), and the first deployment fails or rolls back.',
};
