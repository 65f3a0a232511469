import { didYouMean } from '../../config/suggest';
import type { EnvironmentConfig } from '../../config';
import { CLOUDFRONT_REGION } from '../../constructs/edge';
import { overrideVariable } from '../config-loader';
import { repositoryNameOf } from '../layers/registry';
import { readOptions, type Parsed } from './command-line';

// ---------------------------------------------------------------------------------------------
// What preflight and verify-deployment share: check results, their lines, arguments, AWS errors
// ---------------------------------------------------------------------------------------------

/**
 * A check's result: `pending` is a state that may still become `pass` by itself (a deployment or a
 * modification under way); `skip` is a check that does not apply or could not run for a reason named.
 */
export type CheckStatus = 'pass' | 'fail' | 'pending' | 'skip';

/** One line of a report. */
export interface CheckResult {
  /** What is checked: `account`, `bootstrap`, `service`, `database`... */
  readonly check: string;
  /** What it was checked on: a region, a repository, an instance... */
  readonly target: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** How to fix a failure, when there is one thing to do. */
  readonly fix?: string;
}

const STATUS_LABELS: Readonly<Record<CheckStatus, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  pending: 'WAIT',
  skip: 'SKIP',
};

/** A check as terminal lines: `  PASS  bootstrap  eu-west-1: ...`, then its fix, indented. */
export function formatCheck(result: CheckResult): string[] {
  const head = `  ${STATUS_LABELS[result.status].padEnd(4)}  ${result.check.padEnd(18)} ${result.target}: ${result.detail}`;
  return result.fix === undefined ? [head] : [head, `        ${' '.repeat(18)} fix: ${result.fix}`];
}

/** `--env`: required, one of the environments, with the closest name when misspelled. */
export function environmentProblem(name: string | undefined, environments: readonly string[]): string | undefined {
  if (name === undefined) return `--env is required: one of ${environments.join(', ')}`;
  if (environments.includes(name)) return undefined;
  return `--env ${name}: not an environment${didYouMean(name, environments)} (one of ${environments.join(', ')})`;
}

/**
 * The endpoint every client calls: `--endpoint-url` (tests, a local emulator). Without it the SDK
 * resolves `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL` itself, per service; they are only
 * checked here, so a typo is a clear argument error rather than a connection error.
 */
export function endpointOption(
  value: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): string | undefined {
  if (value !== undefined) {
    if (!isHttpUrl(value)) problems.push(`--endpoint-url ${value}: not an http(s) URL, e.g. http://localhost:5000`);
    return value;
  }
  const fromEnv = env.AWS_ENDPOINT_URL;
  if (fromEnv !== undefined && fromEnv !== '' && !isHttpUrl(fromEnv)) {
    problems.push(`AWS_ENDPOINT_URL ${fromEnv}: not an http(s) URL, e.g. http://localhost:5000`);
  }
  return undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `--image-tag`: what Docker accepts as a tag (the rule of `-c imageTag=...`, `imageTagOverride`). */
export function imageTagProblem(tag: string | undefined): string | undefined {
  if (tag === undefined || /^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  return `--image-tag ${tag}: not a Docker tag (letters, digits, _ . -, not starting with . or -, at most 128)`;
}

/** Why AWS could not be asked at all: no usable credentials, or no answer. Undefined for any other error. */
export type AwsUnavailable = 'credentials' | 'unreachable';

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Classifies an SDK error: credentials that AWS refuses or that cannot be found, or an endpoint that
 * does not answer (network errors, time-outs, server errors after the SDK's retries).
 */
export function awsUnavailable(error: unknown): AwsUnavailable | undefined {
  if (!isError(error)) return undefined;
  if (CREDENTIAL_ERRORS.has(error.name)) return 'credentials';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unreachable';
  // The SDK rewraps an error it does not recognize as an Error (one of another realm) and drops its code.
  if ([...NETWORK_CODES].some((networkCode) => error.message.includes(networkCode))) return 'unreachable';
  if (error.name === 'TimeoutError' || error.name === 'RequestTimeout') return 'unreachable';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'unreachable';
  return undefined;
}

/** Raised by an AWS call that could not be made: the command stops and exits 3. */
export class AwsUnavailableError extends Error {
  constructor(
    readonly reason: AwsUnavailable,
    readonly call: string,
    cause: unknown,
  ) {
    super(
      reason === 'credentials'
        ? `${call}: no usable AWS credentials (${messageOf(cause)}): log in (aws sso login, or export a profile's credentials) and run again`
        : `${call}: AWS did not answer (${messageOf(cause)}): check the network, the endpoint and the region`,
    );
    this.name = 'AwsUnavailableError';
  }
}

/** Runs an AWS call; credentials or network failures become an {@link AwsUnavailableError} naming the call. */
export async function awsCall<T>(name: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const unavailable = awsUnavailable(error);
    if (unavailable !== undefined) throw new AwsUnavailableError(unavailable, name, error);
    throw error;
  }
}

/**
 * Runs one check; an AWS call of it that failed otherwise than for credentials or the network
 * (access denied, throttled for good...) fails the check, with the error, rather than the command.
 */
export async function guardedCheck(
  check: string,
  target: string,
  run: () => Promise<CheckResult>,
): Promise<CheckResult> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AwsUnavailableError) throw error;
    return { check, target, status: 'fail', detail: `could not check: ${messageOf(error)}` };
  }
}

/**
 * Whether `error` is an Error of any realm: Node's network errors are not `instanceof` the Error of
 * another context (a test runner's), though they are errors all the same.
 */
function isError(error: unknown): error is Error {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as Error).name === 'string' &&
    typeof (error as Error).message === 'string'
  );
}

export function errorName(error: unknown): string | undefined {
  return isError(error) ? error.name : undefined;
}

export function messageOf(error: unknown): string {
  if (!isError(error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message === '' && typeof code === 'string' ? code : error.message;
  return message.includes(error.name) || error.name === 'Error' ? message : `${error.name}: ${message}`;
}

// ---------------------------------------------------------------------------------------------
// preflight
// ---------------------------------------------------------------------------------------------

/** The bootstrap stack `cdk bootstrap` creates, unless `--toolkit-stack-name`. */
export const DEFAULT_TOOLKIT_STACK_NAME = 'CDKToolkit';

/** The bootstrap stack's output that holds its template version (also in SSM `/cdk-bootstrap/<qualifier>/version`). */
export const BOOTSTRAP_VERSION_OUTPUT = 'BootstrapVersion';

export const PREFLIGHT_USAGE = `Usage: npm run preflight -- --env <name> [options]

Checks what CloudFormation cannot check before a deploy of the environment: the credentials are for
its account and the shell's region is its region, every region it deploys to is bootstrapped recently
enough, the image tag it deploys exists in its repository, and its hosted zone exists. Reads only.

  --env <name>                  the environment (required)
  --image-tag <tag>             the tag the deploy passes with -c imageTag=... (CI: the commit); default:
                                compute.image.tag. Not checked where the image is built from app/
  --toolkit-stack-name <name>   the bootstrap stack's name (default ${DEFAULT_TOOLKIT_STACK_NAME})
  --endpoint-url <url>          endpoint of every AWS call, for tests (default: the SDK's, which honours
                                AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>)
  --json                        print the report as JSON on stdout; everything else goes to stderr
  -h, --help                    print this help

Exit codes:
  0  every check passed (or does not apply)
  1  a check failed: the report names it and the fix
  2  bad arguments or configuration; nothing was called
  3  AWS could not be asked: no usable credentials, or no answer from the endpoint`;

/** The command's options, checked. */
export interface PreflightOptions {
  readonly env: string;
  /** @default - the configured tag */
  readonly imageTag?: string;
  readonly toolkitStackName: string;
  /** @default - the SDK's endpoint resolution */
  readonly endpointUrl?: string;
  readonly json: boolean;
}

export type { Parsed };

/**
 * Parses and checks the command line; reports every problem at once, each with the value and the fix.
 *
 * @param environments the names `--env` accepts
 * @param env the process environment, for `AWS_ENDPOINT_URL`
 */
export function parsePreflightArgs(
  argv: readonly string[],
  environments: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Parsed<PreflightOptions> {
  const read = readOptions(argv, {
    env: { type: 'string' },
    'image-tag': { type: 'string' },
    'toolkit-stack-name': { type: 'string' },
    'endpoint-url': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (read.kind !== 'values') return read;
  const { values } = read;

  const text = (name: string) => values[name] as string | undefined;
  const problems: string[] = [];
  const envName = text('env');
  const envProblem = environmentProblem(envName, environments);
  if (envProblem !== undefined) problems.push(envProblem);
  const imageTag = text('image-tag');
  const tagProblem = imageTagProblem(imageTag);
  if (tagProblem !== undefined) problems.push(tagProblem);
  const toolkitStackName = text('toolkit-stack-name') ?? DEFAULT_TOOLKIT_STACK_NAME;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(toolkitStackName)) {
    problems.push(`--toolkit-stack-name ${toolkitStackName}: not a CloudFormation stack name (letters, digits, -)`);
  }
  const endpointUrl = endpointOption(text('endpoint-url'), env, problems);

  if (problems.length > 0) return { kind: 'problems', problems };
  return {
    kind: 'options',
    options: { env: envName as string, imageTag, toolkitStackName, endpointUrl, json: values.json === true },
  };
}

/** A region the environment deploys to, and which of its stacks go there. */
export interface DeployRegion {
  readonly region: string;
  readonly stacks: readonly string[];
}

/**
 * Every region a deploy of the environment uses, each of which must be bootstrapped: the home
 * region, us-east-1 for the Edge stack, and `drRegion` for the Dr stack where backup is on (and the
 * Standby stack where `backup.standby` is set).
 */
export function deployRegionsOf(config: Pick<EnvironmentConfig, 'region' | 'drRegion' | 'backup'>): DeployRegion[] {
  const byRegion = new Map<string, string[]>();
  const add = (region: string, stack: string) => byRegion.set(region, [...(byRegion.get(region) ?? []), stack]);
  add(config.region, 'Network, Data, Registry, Compute, Monitoring');
  add(CLOUDFRONT_REGION, 'Edge');
  if (config.backup.enabled) add(config.drRegion, config.backup.standby === undefined ? 'Dr' : 'Dr, Standby');
  return [...byRegion].map(([region, stacks]) => ({ region, stacks }));
}

/** The caller, as STS reports it. */
export interface CallerIdentity {
  readonly account?: string;
  readonly arn?: string;
}

/** The credentials must be for the environment's account: CDK refuses to deploy with any other. */
export function checkAccount(
  identity: CallerIdentity,
  config: Pick<EnvironmentConfig, 'account' | 'name'>,
): CheckResult {
  const who = identity.arn === undefined ? '' : ` (${identity.arn})`;
  if (identity.account === config.account) {
    return { check: 'account', target: config.account, status: 'pass', detail: `the credentials are for it${who}` };
  }
  return {
    check: 'account',
    target: config.account,
    status: 'fail',
    detail: `the credentials are for account ${identity.account ?? '(unknown)'}${who}, not ${config.name}'s`,
    fix: `use credentials of account ${config.account} (another profile: AWS_PROFILE=...), or correct the account (config/${config.name}.ts, or ${overrideVariable(config.name, 'ACCOUNT')})`,
  };
}

/**
 * The shell's default region (AWS_REGION or the profile's) must be the environment's: the deploy
 * itself names the region of every stack, but a shell pointed at another region usually holds
 * another environment's profile, and the AWS CLI commands the runbooks print would go there.
 */
export function checkRegion(defaultRegion: string | undefined, config: Pick<EnvironmentConfig, 'region'>): CheckResult {
  if (defaultRegion === undefined) {
    return {
      check: 'region',
      target: config.region,
      status: 'pass',
      detail: 'no default region is set; every call of the deploy names the region',
    };
  }
  if (defaultRegion === config.region) {
    return { check: 'region', target: config.region, status: 'pass', detail: "the shell's default region" };
  }
  return {
    check: 'region',
    target: config.region,
    status: 'fail',
    detail: `the shell's default region (AWS_REGION or the profile's) is ${defaultRegion}`,
    fix: `export AWS_REGION=${config.region}, or use the environment's profile`,
  };
}

/** The bootstrap stack of a region, as CloudFormation describes it; undefined when there is none. */
export interface ToolkitStack {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** States in which the bootstrap stack's resources (bucket, roles, repository) exist and its version holds. */
const STABLE_STACK_STATUSES = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

/**
 * The region's bootstrap stack exists, is stable, and its version is at least what the synthesized
 * stacks require (`requiresBootstrapStackVersion` of their artifacts).
 */
export function checkBootstrap(
  where: DeployRegion,
  stack: ToolkitStack | undefined,
  required: number,
  options: { readonly account: string; readonly toolkitStackName: string },
): CheckResult {
  const target = `${where.region} (${where.stacks})`;
  const bootstrap = `npx cdk bootstrap aws://${options.account}/${where.region}${
    options.toolkitStackName === DEFAULT_TOOLKIT_STACK_NAME ? '' : ` --toolkit-stack-name ${options.toolkitStackName}`
  }`;
  if (stack === undefined) {
    return {
      check: 'bootstrap',
      target,
      status: 'fail',
      detail: `no ${options.toolkitStackName} stack: the region is not bootstrapped`,
      fix: bootstrap,
    };
  }
  if (!STABLE_STACK_STATUSES.has(stack.status)) {
    return {
      check: 'bootstrap',
      target,
      status: 'fail',
      detail: `${options.toolkitStackName} is ${stack.status}`,
      fix: stack.status.endsWith('_IN_PROGRESS')
        ? 'wait until it finishes, then run preflight again'
        : `see its events (aws cloudformation describe-stack-events --region ${where.region} --stack-name ${options.toolkitStackName}), then ${bootstrap}`,
    };
  }
  const raw = stack.outputs[BOOTSTRAP_VERSION_OUTPUT];
  const version = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
  if (version === undefined) {
    return {
      check: 'bootstrap',
      target,
      status: 'fail',
      detail: `${options.toolkitStackName} has no ${BOOTSTRAP_VERSION_OUTPUT} output${raw === undefined ? '' : ` it can read ("${raw}")`}: not a CDK bootstrap stack?`,
      fix: bootstrap,
    };
  }
  if (version < required) {
    return {
      check: 'bootstrap',
      target,
      status: 'fail',
      detail: `bootstrap version ${version}; the stacks need at least ${required}`,
      fix: bootstrap,
    };
  }
  return {
    check: 'bootstrap',
    target,
    status: 'pass',
    detail: `bootstrap version ${version} (at least ${required} needed)`,
  };
}

/** What the repository holds of a tag. */
export type ImageLookup =
  | { readonly kind: 'found'; readonly digest?: string; readonly pushedAt?: Date }
  | { readonly kind: 'no-image' }
  | { readonly kind: 'no-repository' };

/** The tag a deploy of the environment runs: `--image-tag`, else the configured one; none for an image built from app/. */
export function imageTagOf(
  config: Pick<EnvironmentConfig, 'compute'>,
  override: string | undefined,
): string | undefined {
  return config.compute.image.source === 'ecr' ? (override ?? config.compute.image.tag) : undefined;
}

/** The result of a check of the image that does not apply: the image is a CDK asset built at deploy. */
export function imageBuiltAtDeploy(config: EnvironmentConfig): CheckResult {
  return {
    check: 'image',
    target: repositoryNameOf(config),
    status: 'skip',
    detail: 'skipped (image built from app/ at deploy)',
  };
}

/** The tag must exist before the deploy: ECS would start tasks that cannot pull it, and the deployment fails late. */
export function checkImage(config: EnvironmentConfig, tag: string, found: ImageLookup): CheckResult {
  const repository = repositoryNameOf(config);
  const target = `${repository}:${tag}`;
  const push =
    `push it: docker buildx build --platform linux/arm64 --tag ` +
    `${config.account}.dkr.ecr.${config.region}.amazonaws.com/${repository}:${tag} --push app`;
  if (found.kind === 'no-repository') {
    return {
      check: 'image',
      target,
      status: 'fail',
      detail: `no repository ${repository} in ${config.region}`,
      fix: `deploy the Registry stack first (npm run first-deploy for a new environment), then ${push}`,
    };
  }
  if (found.kind === 'no-image') {
    return { check: 'image', target, status: 'fail', detail: `no image with tag ${tag}`, fix: push };
  }
  const pushed = found.pushedAt === undefined ? '' : `, pushed ${found.pushedAt.toISOString()}`;
  return { check: 'image', target, status: 'pass', detail: `exists (${found.digest ?? 'no digest'}${pushed})` };
}

/** A hosted zone as Route 53 describes it. */
export interface HostedZone {
  readonly id: string;
  /** With the trailing dot, as Route 53 returns it. */
  readonly name: string;
  readonly privateZone: boolean;
}

/**
 * The configured zone ID must name a public zone of the configured name: the certificate's DNS
 * validation and the alias records go there, and a wrong ID fails the Edge stack late.
 *
 * @param zone the zone of the configured ID; undefined when there is none
 * @param sameName public zones named `zoneName`, to suggest the right ID
 */
export function checkHostedZone(
  config: Pick<EnvironmentConfig, 'domain' | 'name'>,
  zone: HostedZone | undefined,
  sameName: readonly HostedZone[],
): CheckResult {
  if (config.domain === undefined) {
    return { check: 'hosted zone', target: '(none)', status: 'skip', detail: 'no domain configured' };
  }
  const { zoneName, hostedZoneId } = config.domain;
  const target = `${hostedZoneId} (${zoneName})`;
  const variable = overrideVariable(config.name, 'HOSTED_ZONE_ID');
  const candidates = sameName.filter((candidate) => !candidate.privateZone).map((candidate) => candidate.id);
  const suggestion =
    candidates.length > 0
      ? `set domain.hostedZoneId (or ${variable}) to ${candidates.join(' or ')}, the public zone${candidates.length > 1 ? 's' : ''} named ${zoneName}`
      : `create the public hosted zone ${zoneName} (aws route53 create-hosted-zone --name ${zoneName} --caller-reference $(date +%s)) and set domain.hostedZoneId (or ${variable}) to its ID`;
  if (zone === undefined) {
    return { check: 'hosted zone', target, status: 'fail', detail: 'no hosted zone with this ID', fix: suggestion };
  }
  if (zone.name.replace(/\.$/, '') !== zoneName) {
    return {
      check: 'hosted zone',
      target,
      status: 'fail',
      detail: `the zone is ${zone.name.replace(/\.$/, '')}, not ${zoneName}`,
      fix: suggestion,
    };
  }
  if (zone.privateZone) {
    return {
      check: 'hosted zone',
      target,
      status: 'fail',
      detail: 'the zone is private: the certificate cannot be validated through it, nor the site reached',
      fix: suggestion,
    };
  }
  return { check: 'hosted zone', target, status: 'pass', detail: 'a public zone of that name' };
}

/** How preflight ended. */
export type PreflightOutcome = 'passed' | 'failed' | 'aws-unavailable';

/** The machine-readable report (`--json`). */
export interface PreflightReport {
  readonly env: string;
  readonly account: string;
  readonly region: string;
  readonly imageTag: string | null;
  /** The least bootstrap version the synthesized stacks require (aws-cdk-lib's default synthesizer). */
  readonly requiredBootstrapVersion: number;
  readonly checks: readonly CheckResult[];
  readonly outcome: PreflightOutcome;
  /** Why AWS could not be asked, with outcome `aws-unavailable`. */
  readonly problem: string | null;
}

export function outcomeOfChecks(checks: readonly CheckResult[]): 'passed' | 'failed' {
  return checks.some((check) => check.status === 'fail' || check.status === 'pending') ? 'failed' : 'passed';
}

/** 0 passed, 1 a check failed, 3 AWS could not be asked. */
export function preflightExitCode(report: Pick<PreflightReport, 'outcome'>): number {
  return report.outcome === 'passed' ? 0 : report.outcome === 'failed' ? 1 : 3;
}

/** The report as lines for the terminal. */
export function formatPreflightReport(report: PreflightReport): string[] {
  const title = { passed: 'PASSED', failed: 'FAILED', 'aws-unavailable': 'AWS UNAVAILABLE' }[report.outcome];
  return [
    `Preflight of ${report.env} (account ${report.account}, ${report.region}): ${title}`,
    ...report.checks.flatMap(formatCheck),
    ...(report.problem === null ? [] : [`  problem: ${report.problem}`]),
  ];
}
