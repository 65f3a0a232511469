import { CfnResource, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Tells cfn-lint to skip `checks` on this one resource (template metadata), where the finding is
 * deliberate: the caller says why in a comment. Narrower than ignoring a check for every template.
 */
export function ignoreLintChecks(resource: CfnResource, checks: readonly string[]): void {
  const existing = (resource.getMetadata('cfn-lint') as { config?: { ignore_checks?: string[] } } | undefined)?.config
    ?.ignore_checks;
  resource.addMetadata('cfn-lint', { config: { ignore_checks: [...new Set([...(existing ?? []), ...checks])] } });
}

/**
 * aws-cdk-lib's singleton custom-resource providers (behind `Vpc.restrictDefaultSecurityGroup`,
 * `autoDeleteObjects`, ...) declare an explicit DependsOn on their role next to the GetAtt of its
 * ARN (cfn-lint W3005): redundant, not wrong, and generated code that is not ours to change. This
 * aspect skips W3005 on exactly those handlers.
 */
export class GeneratedProviderLint implements IAspect {
  public visit(node: IConstruct): void {
    const parent = node.node.scope;
    if (
      CfnResource.isCfnResource(node) &&
      node.cfnResourceType === 'AWS::Lambda::Function' &&
      node.node.id === 'Handler' &&
      parent !== undefined &&
      /^Custom::.+CustomResourceProvider$/.test(parent.node.id)
    ) {
      ignoreLintChecks(node, ['W3005']);
    }
  }
}
