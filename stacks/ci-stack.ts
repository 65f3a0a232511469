import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GithubDeployRole, GithubOidcProvider, READ_ONLY_BOOTSTRAP_ROLES } from '../constructs/ci';

/** The deploy role of one environment. */
export interface CiDeployRoleProps {
  /** The environment's name, which is also its GitHub environment (the deploy job's `environment:`). */
  readonly environment: string;
  /** Every region a stack of the environment lives in (home, edge, disaster recovery). */
  readonly regions: readonly string[];
  /**
   * Physical name.
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /**
   * The longest session, for deployments that take longer than an hour.
   *
   * @default 1
   */
  readonly maxSessionHours?: number;
}

/** The read-only role of pull requests' `cdk diff`. */
export interface CiDiffRoleProps {
  /** Every region a stack of this account's environments lives in. */
  readonly regions: readonly string[];
  /**
   * Physical name.
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/** Properties of a {@link CiStack}. */
export interface CiStackProps extends StackProps {
  /** The repository whose workflows deploy, `owner/name`. */
  readonly repository: string;
  /** One deploy role per environment of this account. */
  readonly deployRoles: readonly CiDeployRoleProps[];
  /**
   * A role pull requests' jobs may assume to diff against the deployed stacks (lookup role only).
   *
   * @default - none
   */
  readonly diffRole?: CiDiffRoleProps;
  /**
   * ARN of the account's existing GitHub Actions OIDC provider, to use instead of creating one (an
   * account holds one per issuer: creating a second fails).
   *
   * @default - a new provider
   */
  readonly existingProviderArn?: string;
  /**
   * The bootstrap qualifier.
   *
   * @default 'hnb659fds'
   */
  readonly qualifier?: string;
}

/**
 * What GitHub Actions needs in one account, deployed once per account by hand (it creates the
 * deploy roles, so no workflow can deploy it): the OIDC provider and one deploy role per environment
 * of the account, each trusted by that environment's jobs only, plus optionally the pull requests'
 * read-only diff role. Outputs the role ARNs to set as GitHub environment variables.
 */
export class CiStack extends Stack {
  /** The account's GitHub Actions OIDC provider. */
  public readonly provider: iam.IOidcProvider;
  /** The deploy role of each environment, by environment name. */
  public readonly deployRoles: Readonly<Record<string, GithubDeployRole>>;
  /** The pull requests' diff role, when there is one. */
  public readonly diffRole?: GithubDeployRole;

  constructor(scope: Construct, id: string, props: CiStackProps) {
    super(scope, id, props);
    this.provider =
      props.existingProviderArn === undefined
        ? new GithubOidcProvider(this, 'GithubOidc')
        : iam.OidcProviderNative.fromOidcProviderArn(this, 'GithubOidc', props.existingProviderArn);

    const deployRoles: Record<string, GithubDeployRole> = {};
    for (const role of props.deployRoles) {
      const pascal = pascalCase(role.environment);
      const deployRole = new GithubDeployRole(this, `Deploy${pascal}`, {
        provider: this.provider,
        repository: props.repository,
        environments: [role.environment],
        regions: role.regions,
        qualifier: props.qualifier,
        roleName: role.roleName,
        maxSessionHours: role.maxSessionHours,
      });
      deployRoles[role.environment] = deployRole;
      new CfnOutput(this, `Deploy${pascal}RoleArn`, {
        description: `GitHub environment "${role.environment}": variable AWS_DEPLOY_ROLE_ARN`,
        value: deployRole.roleArn,
      });
    }
    this.deployRoles = deployRoles;

    if (props.diffRole !== undefined) {
      this.diffRole = new GithubDeployRole(this, 'Diff', {
        provider: this.provider,
        repository: props.repository,
        pullRequests: true,
        regions: props.diffRole.regions,
        bootstrapRoles: READ_ONLY_BOOTSTRAP_ROLES,
        qualifier: props.qualifier,
        roleName: props.diffRole.roleName,
      });
      new CfnOutput(this, 'DiffRoleArn', {
        description: `Repository variable AWS_DIFF_ROLE_ARN_<ENVIRONMENT> of ${props.deployRoles.map((r) => r.environment).join(', ')}`,
        value: this.diffRole.roleArn,
      });
    }
  }
}

/** `dev` -> `Dev`, `my-env` -> `MyEnv`: construct and output IDs. */
function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
