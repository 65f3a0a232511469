import type { StackProps } from 'aws-cdk-lib';
import { PROJECT_TITLE, type EnvironmentConfig } from '../../config';
import { CLOUDFRONT_REGION } from '../../constructs/edge';
import type { CiStackProps } from '../../stacks';

/** Every region a stack of the environment lives in: home, CloudFront's, and `drRegion` where backup is on. */
export function regionsOf(config: EnvironmentConfig): string[] {
  return [...new Set([config.region, CLOUDFRONT_REGION, ...(config.backup.enabled ? [config.drRegion] : [])])];
}

/** The CI stack of one account, named `Ci-<account>`, with its props. */
export interface CiStackPlan {
  readonly id: string;
  readonly props: CiStackProps & Required<Pick<StackProps, 'env'>>;
}

/**
 * One CI stack per account: the GitHub OIDC provider, a deploy role per environment of the account
 * and, where an environment allows it, the pull requests' read-only diff role. Built from every
 * environment (not only those selected), so `-c env=<name>` never drops another environment's role.
 * The loader checked that environments sharing an account agree on the repository and provider.
 */
export function ciStackPlans(configs: readonly EnvironmentConfig[]): CiStackPlan[] {
  const byAccount = new Map<string, EnvironmentConfig[]>();
  for (const config of configs) {
    byAccount.set(config.account, [...(byAccount.get(config.account) ?? []), config]);
  }
  return [...byAccount.entries()].map(([account, environments]) => {
    const home = environments[0] as EnvironmentConfig;
    const diffed = environments.filter((config) => config.ci.pullRequestDiff);
    return {
      id: `Ci-${account}`,
      props: {
        env: { account, region: home.region },
        terminationProtection: true,
        description: `${PROJECT_TITLE}: GitHub Actions OIDC provider and deploy roles (${environments.map((c) => c.name).join(', ')})`,
        repository: home.ci.repository,
        existingProviderArn: home.ci.existingOidcProviderArn,
        deployRoles: environments.map((config) => ({
          environment: config.name,
          regions: regionsOf(config),
          roleName: `${config.tags.Project}-github-deploy-${config.name}`,
          maxSessionHours: config.ci.maxSessionHours,
        })),
        diffRole:
          diffed.length > 0
            ? { regions: [...new Set(diffed.flatMap(regionsOf))], roleName: `${home.tags.Project}-github-diff` }
            : undefined,
      },
    };
  });
}
