import { isWholeNumber, known, problemsOf, type Problem, type Rule } from '../shared/problems';

/**
 * The longest canary name this construct accepts. CloudFormation takes 255 characters, but the
 * Lambda function and log group Synthetics creates are named after the first 21 only
 * (`/aws/lambda/cwsyn-<first 21 characters>-<canary ID>`, DeleteCanary API reference; Lambda names
 * stop at 64 characters). Within 21 the log group's name is the full name, which the construct
 * must predict.
 */
export const SYNTHETIC_CHECK_MAX_NAME_LENGTH = 21;

/** The longest run history Synthetics keeps, in days (`SuccessRetentionPeriod`, `FailureRetentionPeriod`). */
export const SYNTHETIC_CHECK_MAX_RETENTION_DAYS = 455;

/** One URL a canary run checks: an element of the JSON array in the canary's `CHECK_PLAN` variable. */
export interface SyntheticCheckUrl {
  /** `page`: 200 with an HTML body; `api`: 200. */
  readonly kind: 'page' | 'api';
  /** Path from the base URL, starting with `/`. */
  readonly path: string;
  /** Text the body must contain. @default - none */
  readonly bodyIncludes?: string;
}

/** Name of the canary's environment variable holding the base URL. */
export const BASE_URL_VARIABLE = 'CHECK_BASE_URL';
/** Name of the canary's environment variable holding the checks, a JSON array of {@link SyntheticCheckUrl}. */
export const PLAN_VARIABLE = 'CHECK_PLAN';
/** Synthetics' limit on a canary's environment variables, names and values together (CanaryRunConfigInput). */
const ENVIRONMENT_MAX_BYTES = 4096;
/** What a base URL that is a token may take: `https://`, a 253-character DNS name and `:65535`. */
const TOKEN_BASE_URL_BYTES = 'https://'.length + 253 + ':65535'.length;

/** What the rules of {@link SyntheticCheckProps} read, defaults applied. Paths of problems name the props. */
export interface SyntheticCheckRuleInput {
  readonly canaryName: string;
  readonly baseUrl: string;
  readonly pagePaths: readonly string[];
  readonly apiPaths: readonly string[];
  readonly apiBodyIncludes?: string;
  readonly scheduleRateMinutes: number;
  readonly timeoutSeconds: number;
  readonly artifactsRetentionDays: number;
  readonly runtimeName: string;
}

const NAME_CHARACTERS = /^[0-9a-z_-]+$/;
/** A URL path with an optional query: the characters RFC 3986 allows there, no quotes or spaces. */
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
/** Browserless Node.js runtimes. */
const NODE_RUNTIME = /^syn-nodejs-(\d+)\.(\d+)$/;

function badNameCharacters(name: string): string {
  return [...new Set(name.replace(/[0-9a-z_-]/g, ''))].map((c) => JSON.stringify(c)).join(', ');
}

function badPaths(paths: readonly string[]): string[] {
  return paths.filter((path) => known(path) && !PATH.test(path));
}

function duplicatePaths(input: SyntheticCheckRuleInput): string[] {
  const all = [...input.pagePaths, ...input.apiPaths].filter((path) => known(path));
  return [...new Set(all.filter((path, index) => all.indexOf(path) !== index))];
}

/** Why `baseUrl` is not an HTTPS origin, or `undefined`. */
function baseUrlProblem(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') {
    return `uses ${url.protocol.replace(/:$/, '')}; give an https:// URL`;
  }
  if (url.username !== '' || url.password !== '') {
    return "carries credentials, which would sit in clear in the canary's environment variables; check a public URL";
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return 'has a path, query or fragment; give the origin only and put paths in pagePaths and apiPaths';
  }
  return undefined;
}

/** The checks of a run, in order: pages, then API paths. */
export function planOf(input: SyntheticCheckRuleInput): SyntheticCheckUrl[] {
  const bodyIncludes = input.apiBodyIncludes === undefined ? {} : { bodyIncludes: input.apiBodyIncludes };
  return [
    ...input.pagePaths.map((path) => ({ kind: 'page' as const, path })),
    ...input.apiPaths.map((path) => ({ kind: 'api' as const, path, ...bodyIncludes })),
  ];
}

/** The bytes the canary's environment variables take, a base URL that is a token counted at its longest. */
function environmentBytes(input: SyntheticCheckRuleInput): number {
  const baseUrl = known(input.baseUrl) ? Buffer.byteLength(input.baseUrl) : TOKEN_BASE_URL_BYTES;
  return BASE_URL_VARIABLE.length + baseUrl + PLAN_VARIABLE.length + Buffer.byteLength(JSON.stringify(planOf(input)));
}

function runtimeSupported(name: string): boolean {
  const match = NODE_RUNTIME.exec(name);
  if (match === null) {
    return false;
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 3 || (major === 3 && minor >= 1);
}

/** The rules of {@link SyntheticCheckProps}, reported all at once; values that are tokens are skipped. */
export const SYNTHETIC_CHECK_RULES: ReadonlyArray<Rule<SyntheticCheckRuleInput>> = [
  {
    path: ['canaryName'],
    broken: ({ canaryName }) => !known(canaryName),
    message: () =>
      'is a token; give a literal name: the name of the log group the construct creates for the canary is built from it',
  },
  {
    path: ['canaryName'],
    broken: ({ canaryName }) =>
      known(canaryName) && (canaryName.length < 1 || canaryName.length > SYNTHETIC_CHECK_MAX_NAME_LENGTH),
    message: ({ canaryName }) =>
      `"${canaryName}" has ${canaryName.length} characters; give 1 to ${SYNTHETIC_CHECK_MAX_NAME_LENGTH} (Synthetics names the canary's function and log group after the first ${SYNTHETIC_CHECK_MAX_NAME_LENGTH})`,
  },
  {
    path: ['canaryName'],
    broken: ({ canaryName }) => known(canaryName) && canaryName.length > 0 && !NAME_CHARACTERS.test(canaryName),
    message: ({ canaryName }) =>
      `"${canaryName}" has characters Synthetics refuses (${badNameCharacters(canaryName)}); use lowercase letters, digits, hyphens and underscores`,
  },
  {
    path: ['baseUrl'],
    broken: ({ baseUrl }) => known(baseUrl) && baseUrlProblem(baseUrl) !== undefined,
    message: ({ baseUrl }) => `"${baseUrl}" ${baseUrlProblem(baseUrl) ?? ''}`,
  },
  {
    path: ['pagePaths'],
    broken: ({ pagePaths }) => badPaths(pagePaths).length > 0,
    message: ({ pagePaths }) =>
      `${JSON.stringify(badPaths(pagePaths))}: each path starts with "/" and has only URL path and query characters (no spaces or quotes)`,
  },
  {
    path: ['apiPaths'],
    broken: ({ apiPaths }) => badPaths(apiPaths).length > 0,
    message: ({ apiPaths }) =>
      `${JSON.stringify(badPaths(apiPaths))}: each path starts with "/" and has only URL path and query characters (no spaces or quotes)`,
  },
  {
    path: ['apiPaths'],
    broken: (input) => duplicatePaths(input).length > 0,
    message: (input) =>
      `${JSON.stringify(duplicatePaths(input))} checked more than once (pagePaths and apiPaths together); each path is one step of the run, named after it`,
  },
  {
    path: ['pagePaths'],
    broken: ({ pagePaths, apiPaths }) => pagePaths.length + apiPaths.length === 0,
    message: () => 'pagePaths and apiPaths are both empty; give at least one path to check',
  },
  {
    path: ['apiBodyIncludes'],
    broken: ({ apiBodyIncludes: text }) => text !== undefined && !known(text),
    message: () => 'is a token; give literal text: it is written into the JSON of the CHECK_PLAN variable at synthesis',
  },
  {
    path: ['apiBodyIncludes'],
    broken: ({ apiBodyIncludes: text }) => text === '',
    message: () => 'is empty, which every body contains; give the text to look for, or leave it out',
  },
  {
    path: ['apiBodyIncludes'],
    broken: ({ apiBodyIncludes: text, apiPaths }) => text !== undefined && text !== '' && apiPaths.length === 0,
    message: ({ apiBodyIncludes }) =>
      `${JSON.stringify(apiBodyIncludes)} would check nothing: apiPaths is empty; add the API paths whose body must contain it, or leave it out`,
  },
  {
    path: ['apiPaths'],
    broken: (input) =>
      known(input.apiBodyIncludes) &&
      [...input.pagePaths, ...input.apiPaths].every((path) => known(path)) &&
      environmentBytes(input) > ENVIRONMENT_MAX_BYTES,
    message: (input) =>
      `the checks and base URL take ${environmentBytes(input)} bytes of the canary's environment variables (CHECK_BASE_URL, CHECK_PLAN), more than the ${ENVIRONMENT_MAX_BYTES} Synthetics allows${known(input.baseUrl) ? '' : ` (a base URL that is a token counts as ${TOKEN_BASE_URL_BYTES})`}; check fewer or shorter paths, or split them over two checks`,
  },
  {
    path: ['scheduleRateMinutes'],
    broken: ({ scheduleRateMinutes: rate }) => known(rate) && !isWholeNumber(rate, 1, 60),
    message: ({ scheduleRateMinutes }) =>
      `${scheduleRateMinutes} is not a schedule Synthetics runs; give whole minutes from 1 to 60`,
  },
  {
    path: ['timeoutSeconds'],
    broken: ({ timeoutSeconds: timeout }) => known(timeout) && !isWholeNumber(timeout, 3, 840),
    message: ({ timeoutSeconds }) => `${timeoutSeconds} is not a canary timeout; give whole seconds from 3 to 840`,
  },
  {
    path: ['timeoutSeconds'],
    broken: ({ timeoutSeconds: timeout, scheduleRateMinutes: rate }) =>
      known(timeout, rate) && isWholeNumber(rate, 1, 60) && timeout > rate * 60,
    message: ({ timeoutSeconds, scheduleRateMinutes }) =>
      `${timeoutSeconds} seconds outlast the ${scheduleRateMinutes * 60} seconds between runs; Synthetics refuses a timeout longer than the schedule's rate`,
  },
  {
    path: ['artifactsRetentionDays'],
    broken: ({ artifactsRetentionDays: days }) =>
      known(days) && !isWholeNumber(days, 1, SYNTHETIC_CHECK_MAX_RETENTION_DAYS),
    message: ({ artifactsRetentionDays }) =>
      `${artifactsRetentionDays} is not a retention Synthetics keeps run history for; give whole days from 1 to ${SYNTHETIC_CHECK_MAX_RETENTION_DAYS}`,
  },
  {
    path: ['runtime'],
    broken: ({ runtimeName }) => known(runtimeName) && !runtimeSupported(runtimeName),
    message: ({ runtimeName }) =>
      `"${runtimeName}" cannot run this check's script; give a browserless Node.js runtime syn-nodejs-3.1 or later (the script loads @aws/synthetics-core and needs no browser)`,
  },
];

/** Every problem of `input`, in table order. */
export function syntheticCheckProblems(input: SyntheticCheckRuleInput): Problem[] {
  return problemsOf(input, SYNTHETIC_CHECK_RULES);
}
