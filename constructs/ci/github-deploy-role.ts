import { DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { throwOnProblems, type Problem } from '../shared/problems';
import {
  BOOTSTRAP_ROLES,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  githubDeployRoleProblems,
  githubSubjects,
  type BootstrapRole,
} from './ci-rules';
import { GithubOidcProvider } from './github-oidc';

/** Properties of a {@link GithubDeployRole}. */
export interface GithubDeployRoleProps {
  /**
   * The account's OIDC provider for GitHub Actions: a {@link GithubOidcProvider}, or the existing one
   * imported with `iam.OidcProviderNative.fromOidcProviderArn`.
   */
  readonly provider: iam.IOidcProvider;
  /**
   * The one repository whose workflows may assume the role, as `owner/name`, spelled as GitHub spells
   * it (the trust compares case-sensitively).
   */
  readonly repository: string;
  /**
   * GitHub environments whose jobs may assume the role (`sub` = `repo:<owner>/<name>:environment:<env>`).
   * A job that names an environment carries no branch in its token: restrict the environment's
   * deployment branches in GitHub, or any branch's workflow could name it.
   *
   * @default - none
   */
  readonly environments?: readonly string[];
  /**
   * Branches whose jobs without an environment may assume the role
   * (`sub` = `repo:<owner>/<name>:ref:refs/heads/<branch>`).
   *
   * @default - none
   */
  readonly branches?: readonly string[];
  /**
   * Whether pull requests' jobs may assume the role (`sub` = `repo:<owner>/<name>:pull_request`).
   * Such a role may only assume the read-only `lookup` role: a pull request runs its own branch's
   * workflow. Pull requests from forks get no OIDC token at all.
   *
   * @default false
   */
  readonly pullRequests?: boolean;
  /** Regions whose bootstrap roles the role may assume: every region a stack of its environments lives in. */
  readonly regions: readonly string[];
  /**
   * The bootstrap roles it may assume. `cdk deploy` needs all four; `cdk diff --no-change-set` only `lookup`.
   *
   * @default - all of `deploy`, `file-publishing`, `image-publishing` and `lookup`
   */
  readonly bootstrapRoles?: readonly BootstrapRole[];
  /**
   * The bootstrap qualifier (`cdk bootstrap --qualifier`).
   *
   * @default 'hnb659fds' (the default synthesizer's)
   */
  readonly qualifier?: string;
  /**
   * The longest session a job may request (`role-duration-seconds`). The CDK CLI re-assumes the
   * bootstrap roles (one hour each, as chained sessions) from this session, so a `cdk deploy` that
   * outlasts it fails while CloudFormation goes on: raise it for deployments longer than an hour.
   *
   * @default 1 (IAM's minimum)
   */
  readonly maxSessionHours?: number;
  /**
   * Physical name, which keeps the ARN GitHub is given stable. Changing it replaces the role.
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/** The longest description IAM accepts on a role. */
const MAX_DESCRIPTION_LENGTH = 1000;

/**
 * A role GitHub Actions jobs of one repository assume with their OIDC token, whose only permission
 * is to assume the CDK bootstrap roles of its own account in the given regions; those carry the
 * actual rights (CloudFormation through its execution role, asset publishing, read-only lookups).
 *
 * Trust: the provider, `StringEquals` on the token's audience (`sts.amazonaws.com`) and on its
 * subject, which must be one of the exact subjects of the given environments, branches or pull
 * requests: no pattern, so no other repository, branch or environment matches. Sessions last one hour
 * (IAM's minimum) unless `maxSessionHours` allows more.
 *
 * Permissions: `sts:AssumeRole` and `sts:TagSession` (`configure-aws-credentials` tags chained
 * sessions) on `cdk-<qualifier>-<role>-role-<account>-<region>`, in a customer-managed policy (the
 * compliance packs reject inline ones). {@link role} refuses further grants, so nothing widens it
 * unseen.
 */
export class GithubDeployRole extends Construct {
  /** The role, as an `IRole` that ignores grants (`withoutPolicyUpdates`). */
  public readonly role: iam.IRole;
  /** The role's ARN: what the workflow's `role-to-assume` names. */
  public readonly roleArn: string;
  /** The role's name. */
  public readonly roleName: string;
  /** The `sub` claims the role trusts. */
  public readonly subjects: readonly string[];
  /** The bootstrap roles it may assume. */
  public readonly bootstrapRoleArns: readonly string[];

  constructor(scope: Construct, id: string, props: GithubDeployRoleProps) {
    super(scope, id);
    const input = {
      repository: props.repository,
      environments: props.environments ?? [],
      branches: props.branches ?? [],
      pullRequests: props.pullRequests ?? false,
      regions: props.regions,
      bootstrapRoles: props.bootstrapRoles ?? BOOTSTRAP_ROLES,
      qualifier: props.qualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER,
      maxSessionHours: props.maxSessionHours ?? 1,
    };
    const providerProblems: Problem[] =
      GithubOidcProvider.isGithubProvider(props.provider) === false
        ? [
            {
              path: ['provider'],
              message: `the provider is for "${props.provider.oidcProviderIssuer}", not GitHub Actions (${GITHUB_OIDC_HOST}); give a GithubOidcProvider or import the account's GitHub provider`,
            },
          ]
        : [];
    throwOnProblems(this, [...githubDeployRoleProblems(input), ...providerProblems]);

    const stack = Stack.of(this);
    this.subjects = githubSubjects(input);
    this.bootstrapRoleArns = input.regions.flatMap((region) =>
      input.bootstrapRoles.map(
        (kind) =>
          `arn:${stack.partition}:iam::${stack.account}:role/cdk-${input.qualifier}-${kind}-role-${stack.account}-${region}`,
      ),
    );

    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Lets GitHub Actions of ${input.repository} assume the CDK bootstrap roles, nothing else`,
      statements: [
        new iam.PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: [...this.bootstrapRoleArns],
        }),
      ],
    });

    const resource = new iam.Role(this, 'Resource', {
      roleName: props.roleName,
      description:
        `GitHub Actions of ${input.repository} (${this.subjects.map((s) => s.slice(`repo:${input.repository}:`.length)).join(', ')}): assumes the CDK bootstrap roles (${input.bootstrapRoles.join(', ')}) only`.slice(
          0,
          MAX_DESCRIPTION_LENGTH,
        ),
      assumedBy: new iam.OpenIdConnectPrincipal(props.provider, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: [...this.subjects],
        },
      }),
      managedPolicies: [policy],
      maxSessionDuration: Duration.hours(input.maxSessionHours),
    });
    this.role = resource.withoutPolicyUpdates();
    this.roleArn = resource.roleArn;
    this.roleName = resource.roleName;
  }
}
