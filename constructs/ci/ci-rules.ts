import { isWholeNumber, known, problemsOf, type Problem, type Rule } from '../shared/problems';

/** Host of GitHub Actions' OIDC issuer, which also prefixes the condition keys of its tokens. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The audience `aws-actions/configure-aws-credentials` requests its token for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The roles `cdk bootstrap` creates that a CI role may assume (the execution role is CloudFormation's only). */
export const BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

/** The longest session IAM lets a role allow, in hours. */
export const MAX_SESSION_HOURS = 12;

/** One of {@link BOOTSTRAP_ROLES}. */
export type BootstrapRole = (typeof BOOTSTRAP_ROLES)[number];

/** The only bootstrap role a pull request's job may reach: read-only (ReadOnlyAccess, no decryption). */
export const READ_ONLY_BOOTSTRAP_ROLES: readonly BootstrapRole[] = ['lookup'];

/**
 * GitHub's rules for names (owner: letters, digits, single hyphens, 39 at most; repository: letters,
 * digits, `.`, `_`, `-`, 100 at most), which also keep out `*` and `?`: the role's trust must name
 * exactly one repository.
 */
const OWNER = /^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$/;
const REPOSITORY_NAME = /^[A-Za-z0-9._-]{1,100}$/;
/** `cdk bootstrap --qualifier`'s allowed pattern. */
const QUALIFIER = /^[A-Za-z0-9_-]{1,10}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** Characters that would make a subject a pattern under `StringLike`, or are no part of a name. */
const WILDCARD = /[*?]/;

/**
 * What the rules of a GitHub deploy role read, defaults applied. Paths of problems name these fields,
 * which are also the names of `GithubDeployRoleProps`.
 */
export interface GithubDeployRoleRuleInput {
  /** `owner/name`. */
  readonly repository: string;
  readonly environments: readonly string[];
  readonly branches: readonly string[];
  readonly pullRequests: boolean;
  readonly regions: readonly string[];
  readonly bootstrapRoles: readonly string[];
  readonly qualifier: string;
  readonly maxSessionHours: number;
}

const duplicatesOf = (values: readonly string[]) => [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');

function isRepository(repository: string): boolean {
  const [owner, name, ...rest] = repository.split('/');
  return (
    rest.length === 0 &&
    owner !== undefined &&
    name !== undefined &&
    OWNER.test(owner) &&
    REPOSITORY_NAME.test(name) &&
    name !== '.' &&
    name !== '..'
  );
}

/** A branch name git accepts and that names one branch (no pattern, no `refs/` prefix: the role adds it). */
function isBranch(branch: string): boolean {
  return (
    branch.length > 0 &&
    !/[\s~^:\\[*?]/.test(branch) &&
    !branch.startsWith('refs/') &&
    !branch.startsWith('/') &&
    !branch.endsWith('/') &&
    !branch.endsWith('.') &&
    !branch.endsWith('.lock') &&
    !branch.includes('..') &&
    !branch.includes('//') &&
    !branch.includes('@{')
  );
}

/** A GitHub environment name (255 characters at most) without wildcards or surrounding blanks. */
function isEnvironment(environment: string): boolean {
  return (
    environment.length > 0 &&
    environment.length <= 255 &&
    environment.trim() === environment &&
    !WILDCARD.test(environment)
  );
}

const DEPLOY_ROLE_RULES: ReadonlyArray<Rule<GithubDeployRoleRuleInput>> = [
  {
    path: ['repository'],
    broken: ({ repository }) => known(repository) && WILDCARD.test(repository),
    message: ({ repository }) =>
      `"${repository}" is a pattern: the role must trust exactly one repository; give it as owner/name without * or ?`,
  },
  {
    path: ['repository'],
    broken: ({ repository }) => known(repository) && !WILDCARD.test(repository) && !isRepository(repository),
    message: ({ repository }) =>
      `"${repository}" is not a GitHub repository; give owner/name (owner: letters, digits and single hyphens; name: letters, digits, ".", "_" or "-"), exactly as GitHub spells it`,
  },
  {
    path: ['environments'],
    broken: ({ environments, branches, pullRequests }) =>
      environments.length === 0 && branches.length === 0 && !pullRequests,
    message: () =>
      'no job could assume the role; give the GitHub environments of the deploy jobs (or branches, or pullRequests: true)',
  },
  {
    path: ['environments'],
    broken: ({ environments }) => environments.some((e) => known(e) && !isEnvironment(e)),
    message: ({ environments }) =>
      `${quoted(environments.filter((e) => known(e) && !isEnvironment(e)))}: not the name of one GitHub environment; give names of 1 to 255 characters without * or ? or surrounding blanks`,
  },
  {
    path: ['environments'],
    broken: ({ environments }) => duplicatesOf(environments).length > 0,
    message: ({ environments }) => `${quoted(duplicatesOf(environments))} listed more than once; list each once`,
  },
  {
    path: ['branches'],
    broken: ({ branches }) => branches.some((b) => known(b) && !isBranch(b)),
    message: ({ branches }) =>
      `${quoted(branches.filter((b) => known(b) && !isBranch(b)))}: not the name of one branch; give names such as "main" (no refs/heads/ prefix, no * ? [ or blanks)`,
  },
  {
    path: ['branches'],
    broken: ({ branches }) => duplicatesOf(branches).length > 0,
    message: ({ branches }) => `${quoted(duplicatesOf(branches))} listed more than once; list each once`,
  },
  {
    path: ['bootstrapRoles'],
    broken: ({ bootstrapRoles }) => bootstrapRoles.length === 0,
    message: () => `the role could do nothing; give one or more of ${quoted(BOOTSTRAP_ROLES)}`,
  },
  {
    path: ['bootstrapRoles'],
    broken: ({ bootstrapRoles }) => bootstrapRoles.some((r) => !(BOOTSTRAP_ROLES as readonly string[]).includes(r)),
    message: ({ bootstrapRoles }) =>
      `${quoted(bootstrapRoles.filter((r) => !(BOOTSTRAP_ROLES as readonly string[]).includes(r)))}: not a bootstrap role a CI role may assume; use ${quoted(BOOTSTRAP_ROLES)}`,
  },
  {
    path: ['bootstrapRoles'],
    broken: ({ bootstrapRoles }) => duplicatesOf(bootstrapRoles).length > 0,
    message: ({ bootstrapRoles }) => `${quoted(duplicatesOf(bootstrapRoles))} listed more than once; list each once`,
  },
  {
    // A pull request runs the workflow of its own branch: whoever can push a branch would deploy.
    path: ['pullRequests'],
    broken: ({ pullRequests, bootstrapRoles }) =>
      pullRequests && bootstrapRoles.some((r) => !READ_ONLY_BOOTSTRAP_ROLES.includes(r as BootstrapRole)),
    message: ({ bootstrapRoles }) =>
      `a role pull requests can assume must stay read-only, but it may assume ${quoted(bootstrapRoles.filter((r) => !READ_ONLY_BOOTSTRAP_ROLES.includes(r as BootstrapRole)))}; give it bootstrapRoles ${quoted(READ_ONLY_BOOTSTRAP_ROLES)} (cdk diff --no-change-set needs no more) or trust environments instead`,
  },
  {
    path: ['regions'],
    broken: ({ regions }) => regions.length === 0,
    message: () => 'no region: give the regions whose bootstrap roles the role may assume',
  },
  {
    path: ['regions'],
    broken: ({ regions }) => regions.some((r) => known(r) && !REGION.test(r)),
    message: ({ regions }) =>
      `${quoted(regions.filter((r) => known(r) && !REGION.test(r)))}: not an AWS region; give names such as "eu-west-1"`,
  },
  {
    path: ['regions'],
    broken: ({ regions }) => duplicatesOf(regions).length > 0,
    message: ({ regions }) => `${quoted(duplicatesOf(regions))} listed more than once; list each once`,
  },
  {
    path: ['qualifier'],
    broken: ({ qualifier }) => known(qualifier) && !QUALIFIER.test(qualifier),
    message: ({ qualifier }) =>
      `"${qualifier}" is not a bootstrap qualifier; give the one of cdk bootstrap --qualifier: 1 to 10 letters, digits, "_" or "-"`,
  },
  {
    path: ['maxSessionHours'],
    broken: ({ maxSessionHours }) => known(maxSessionHours) && !isWholeNumber(maxSessionHours, 1, MAX_SESSION_HOURS),
    message: ({ maxSessionHours }) =>
      `${maxSessionHours} is not a session length IAM accepts; give a whole number of hours from 1 to ${MAX_SESSION_HOURS}`,
  },
];

/** Every problem of a GitHub deploy role's props, in table order. */
export function githubDeployRoleProblems(input: GithubDeployRoleRuleInput): Problem[] {
  return problemsOf(input, DEPLOY_ROLE_RULES);
}

/**
 * The `sub` claims GitHub puts in the tokens of the given jobs (the default subject format):
 * `repo:<owner>/<name>:environment:<env>` for a job that names an environment, else
 * `repo:<owner>/<name>:ref:refs/heads/<branch>`, and `repo:<owner>/<name>:pull_request` for a
 * pull request's job.
 */
export function githubSubjects(
  input: Pick<GithubDeployRoleRuleInput, 'repository' | 'environments' | 'branches' | 'pullRequests'>,
): string[] {
  return [
    ...input.environments.map((environment) => `repo:${input.repository}:environment:${environment}`),
    ...input.branches.map((branch) => `repo:${input.repository}:ref:refs/heads/${branch}`),
    ...(input.pullRequests ? [`repo:${input.repository}:pull_request`] : []),
  ];
}
