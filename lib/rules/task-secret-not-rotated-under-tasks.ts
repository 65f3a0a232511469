import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { DeployReadinessRule } from './rule';
import {
  asArray,
  isObject,
  referencedLogicalIds,
  renderResource,
  renderStackTemplate,
  type RenderedTemplate,
} from './template';

const SECRET = 'AWS::SecretsManager::Secret';
const ATTACHMENT = 'AWS::SecretsManager::SecretTargetAttachment';
const ROTATION = 'AWS::SecretsManager::RotationSchedule';

/**
 * A container secret of an ECS task definition (`ContainerDefinitions[].Secrets[].ValueFrom`) must
 * not come from a Secrets Manager secret that an `AWS::SecretsManager::RotationSchedule` of the same
 * stack rotates. ECS resolves the value once, when a task starts: after a rotation every running task
 * keeps the old value, and with single-user rotation the old password stops working at once.
 *
 * The secret is matched by logical ID (a `Ref`/`Fn::GetAtt`, also inside `Fn::Join`/`Fn::Sub`), through
 * a `SecretTargetAttachment` (which stands for its secret; CDK schedules rotation on the attachment
 * of an RDS secret), or by an identical literal ARN. Limitation: a secret of another stack reaches
 * the task definition as `Fn::GetStackOutput`/`Fn::ImportValue`, and a rotation schedule of that
 * other stack is not visible from here; such references are not checked.
 *
 * Findings: the logical ID (or literal ARN) of each rotated secret a container reads.
 */
export function TaskSecretNotRotatedUnderTasks(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ECS::TaskDefinition') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const properties = renderResource(node)?.Properties ?? {};
  const valueFroms = asArray(properties.ContainerDefinitions)
    .filter(isObject)
    .flatMap((container) => asArray(container.Secrets).filter(isObject))
    .map((secret) => secret.ValueFrom);
  if (valueFroms.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const template = renderStackTemplate(node);
  const secretOf = secretIdResolver(template);
  const rotated = new Set<string>();
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type === ROTATION) {
      secretKeys(resource.Properties?.SecretId, secretOf).forEach((key) => rotated.add(key));
    }
  }
  const findings = valueFroms.flatMap((valueFrom) => secretKeys(valueFrom, secretOf).filter((key) => rotated.has(key)));
  return findings.length > 0 ? [...new Set(findings)].sort() : NagRuleCompliance.COMPLIANT;
}

/** Maps a logical ID to the secret it stands for: an attachment to its `SecretId`'s secret. */
function secretIdResolver(template: RenderedTemplate): (logicalId: string) => string | undefined {
  const resources = template.Resources ?? {};
  return (logicalId) => {
    const resource = resources[logicalId];
    if (resource?.Type === SECRET) {
      return logicalId;
    }
    if (resource?.Type === ATTACHMENT) {
      const [secret] = [...referencedLogicalIds(resource.Properties?.SecretId)].filter(
        (id) => resources[id]?.Type === SECRET,
      );
      return secret;
    }
    return undefined;
  };
}

/**
 * The secrets `value` names: logical IDs of same-stack secrets it references, or the whole value
 * when it is a literal ARN (a `...:secret:name` string, with a JSON key suffix cut off).
 */
function secretKeys(value: unknown, secretOf: (logicalId: string) => string | undefined): string[] {
  if (typeof value === 'string') {
    const match = /^(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+)/.exec(value);
    return match?.[1] !== undefined ? [match[1]] : [];
  }
  return [...referencedLogicalIds(value)].flatMap((id) => {
    const secret = secretOf(id);
    return secret === undefined ? [] : [secret];
  });
}

export const taskSecretNotRotatedUnderTasks: DeployReadinessRule = {
  rule: TaskSecretNotRotatedUnderTasks,
  info:
    'A container secret of this task definition comes from a Secrets Manager secret that a RotationSchedule ' +
    'rotates. ECS injects the value only when a task starts, so running tasks keep the old password after each ' +
    'rotation. Authenticate the application with short-lived tokens (IAM database/cache authentication) instead, ' +
    'or read the secret at runtime and reconnect when it changes (with alternating-users rotation).',
  explanation:
    'Single-user rotation changes the password in place: every task started before the rotation fails to open ' +
    'new connections until it is replaced, a scheduled outage. Checked within one stack (a secret from another ' +
    'stack arrives through Fn::GetStackOutput, whose rotation schedule this rule cannot see).',
};
