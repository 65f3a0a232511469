import type { z } from 'zod';
import {
  ENVIRONMENT_NAME_PATTERN,
  environmentConfigSchema,
  environments as committedEnvironments,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
  type EnvironmentName,
} from '../config';
import { closest, didYouMean } from '../config/suggest';
import { cidrsOverlap, parseIpv4Cidr } from '../constructs/shared/cidr';

/**
 * Raised for any configuration problem. Its message is meant to be printed as is:
 * it names the environment, the field, the value, where the value came from and the problem.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Where overrides come from. Only `bin/` and tests build one of these. */
export interface ConfigSources<N extends string = EnvironmentName> {
  /** Reads a CDK context value (`-c key=value` or `cdk.json`). */
  readonly context: (key: string) => unknown;
  /**
   * Every context key that is set, so a misspelled override (`-c prod:acount=...`) is an error
   * rather than silently ignored.
   *
   * @default - only the keys this loader reads are looked at
   */
  readonly contextKeys?: readonly string[];
  /** The process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The configurations to load; the committed registry (`config/index.ts`) unless a test substitutes its own. */
  readonly environments?: Readonly<Record<N, EnvironmentConfigInput>>;
}

/** An overridable field, with the context key and variable that set it. */
interface Override {
  readonly field: readonly string[];
  readonly context: string;
  readonly variable: string;
  readonly list: boolean;
}

/** The overridable fields: deployment targets and the real domain, which the committed files only hold placeholders of. */
export const OVERRIDES: readonly Override[] = [
  { field: ['account'], context: 'account', variable: 'ACCOUNT', list: false },
  { field: ['region'], context: 'region', variable: 'REGION', list: false },
  { field: ['availabilityZones'], context: 'availabilityZones', variable: 'AVAILABILITY_ZONES', list: true },
  { field: ['drRegion'], context: 'drRegion', variable: 'DR_REGION', list: false },
  // Follows the region by default (config/aws/cloudfront.ts); needed only for a region the table lacks.
  {
    field: ['edge', 'originFacingPrefixListId'],
    context: 'cloudFrontPrefixList',
    variable: 'CLOUDFRONT_PREFIX_LIST',
    list: false,
  },
  { field: ['domain', 'zoneName'], context: 'zoneName', variable: 'ZONE_NAME', list: false },
  { field: ['domain', 'hostedZoneId'], context: 'hostedZoneId', variable: 'HOSTED_ZONE_ID', list: false },
  { field: ['ci', 'repository'], context: 'githubRepository', variable: 'GITHUB_REPOSITORY', list: false },
];

/** `LA_` variables of the tooling (tests, validation cache), which are not overrides. */
const TOOLING_VARIABLES = ['LA_TEST_OUT', 'LA_GUARD_PROCESSES', 'LA_VALIDATION_CACHE', 'LA_VALIDATION_CACHE_DIR'];

/** `LA_PROD_ACCOUNT` for environment `prod` and variable `ACCOUNT`. */
export function overrideVariable(environment: string, variable: string): string {
  return `LA_${environment.toUpperCase()}_${variable}`;
}

/**
 * Which environments to build: all of them, or the one named by `-c env=<name>`.
 *
 * @throws ConfigError for an unknown name
 */
export function selectEnvironments<N extends string = EnvironmentName>(
  sources: Pick<ConfigSources<N>, 'context' | 'environments'>,
): N[] {
  const names = Object.keys(sources.environments ?? committedEnvironments) as N[];
  const requested = sources.context('env');
  if (requested === undefined || requested === '') {
    return names;
  }
  const name = String(requested);
  if (!(names as string[]).includes(name)) {
    throw new ConfigError(
      `Unknown environment "${name}" (from -c env=${name})${didYouMean(name, names)}: expected one of ${names.join(', ')}`,
    );
  }
  return [name as N];
}

/**
 * Loads, overrides and validates every environment's configuration.
 *
 * All environments are validated even when one is selected, because the checks across environments
 * (disjoint VPCs, names AWS requires to be unique, CloudFront aliases) need them all.
 *
 * Overrides, highest precedence first, for environment `prod` and field `account`:
 * `-c prod:account=...`, then `LA_PROD_ACCOUNT`. Availability zones are comma-separated. Also
 * `region`, `availabilityZones`, `drRegion`, `cloudFrontPrefixList`, `zoneName` and `hostedZoneId`
 * ({@link OVERRIDES}). An override key or variable that names no field is an error, with the closest
 * name. The CLI's own `CDK_DEFAULT_ACCOUNT`/`CDK_DEFAULT_REGION` are deliberately not read: the CLI
 * fills them from whatever credentials are active, which would silently retarget every environment
 * at once.
 *
 * @throws ConfigError naming the environment, the field, the value, its source and the problem
 */
export function loadConfigs<N extends string = EnvironmentName>(
  sources: ConfigSources<N>,
): Record<N, EnvironmentConfig> {
  const inputs = (sources.environments ?? committedEnvironments) as Readonly<Record<N, EnvironmentConfigInput>>;
  const names = Object.keys(inputs) as N[];

  const problems: string[] = [...unknownOverrides(names, sources)];
  const applied: string[] = [];
  const loaded: Partial<Record<N, EnvironmentConfig>> = {};
  for (const name of names) {
    if (!ENVIRONMENT_NAME_PATTERN.test(name)) {
      problems.push(
        `${name}: "${name}" in config/index.ts is not an environment name: use lowercase letters and digits, starting with a letter, at most 16 characters`,
      );
      continue;
    }
    const { input, origins } = applyOverrides(name, inputs[name], sources);
    for (const [field, origin] of origins) {
      applied.push(`${name}: ${field} = ${JSON.stringify(valueAt(input, field.split('.')))} (${origin})`);
    }
    const result = environmentConfigSchema.safeParse(input);
    if (!result.success) {
      problems.push(...formatIssues(name, input, origins, result.error.issues));
      continue;
    }
    if (result.data.name !== name) {
      problems.push(
        `${name}: name: "${result.data.name}" does not match the environment it configures ("${name}", its key in config/index.ts) (in ${fileOf(name)})`,
      );
      continue;
    }
    loaded[name] = result.data;
  }

  problems.push(...crossEnvironmentProblems(Object.values(loaded) as EnvironmentConfig[]));
  if (problems.length > 0) {
    const requested = sources.context('env');
    const selection =
      requested === undefined || requested === ''
        ? ''
        : ` (every environment is validated, also with -c env=${String(requested)}: the checks across environments need them all)`;
    // Overrides explain problems of fields they did not set (zones that no longer fit an overridden region).
    const overrides = applied.length > 0 ? `\nOverrides in effect:\n${applied.map((a) => `  - ${a}`).join('\n')}` : '';
    throw new ConfigError(
      `Invalid configuration${selection}; each value is from config/<environment>.ts unless its override is named:\n${problems.map((p) => `  - ${p}`).join('\n')}${overrides}`,
    );
  }
  return loaded as Record<N, EnvironmentConfig>;
}

/** The file an environment's committed config lives in, by the registry's convention. */
function fileOf(name: string): string {
  return `config/${name}.ts`;
}

/** Field path (dotted) to where its overriding value came from. */
type Origins = ReadonlyMap<string, string>;

function applyOverrides(
  name: string,
  input: EnvironmentConfigInput,
  sources: Pick<ConfigSources<string>, 'context' | 'env'>,
): { input: EnvironmentConfigInput; origins: Origins } {
  const result = structuredClone(input) as unknown as Record<string, unknown>;
  const origins = new Map<string, string>();
  for (const override of OVERRIDES) {
    const contextValue = sources.context(`${name}:${override.context}`);
    const variable = overrideVariable(name, override.variable);
    const fromContext = contextValue !== undefined && contextValue !== '';
    const raw = fromContext ? contextValue : sources.env[variable];
    if (raw === undefined || raw === '') {
      continue;
    }
    const value = override.list && typeof raw === 'string' ? raw.split(',').map((item) => item.trim()) : String(raw);
    const parents = override.field.slice(0, -1);
    const leaf = override.field[override.field.length - 1] as string;
    let target = result;
    for (const key of parents) {
      target = (target[key] ??= {}) as Record<string, unknown>;
    }
    target[leaf] = value;
    origins.set(override.field.join('.'), fromContext ? `-c ${name}:${override.context}` : variable);
  }
  return { input: result as unknown as EnvironmentConfigInput, origins };
}

/**
 * Override keys and variables that name no field. `-c prod:acount=...` and `LA_PROD_ACCOUNT_ID=...`
 * would otherwise be ignored, and the environment deployed with the committed value.
 */
function unknownOverrides(
  names: readonly string[],
  sources: Pick<ConfigSources<string>, 'contextKeys' | 'env'>,
): string[] {
  const problems: string[] = [];
  const contextKeys = OVERRIDES.map((override) => override.context);
  const variables = OVERRIDES.map((override) => override.variable);
  const overridable = `overridable: ${contextKeys.join(', ')}`;

  for (const key of sources.contextKeys ?? []) {
    const separator = key.indexOf(':');
    if (separator <= 0 || key.startsWith('@')) {
      continue;
    }
    const prefix = key.slice(0, separator);
    const field = key.slice(separator + 1);
    if (names.includes(prefix)) {
      if (!contextKeys.includes(field)) {
        problems.push(
          `${prefix}: -c ${key}: "${field}" is not an overridable field${didYouMean(field, contextKeys)} (${overridable})`,
        );
      }
    } else if (contextKeys.includes(field)) {
      // An override of an environment that does not exist: a misspelled name, most likely.
      problems.push(
        `-c ${key}: "${prefix}" is not an environment${didYouMean(prefix, names)} (environments: ${names.join(', ')})`,
      );
    }
  }

  const allVariables = names.flatMap((name) => variables.map((variable) => overrideVariable(name, variable)));
  for (const variable of Object.keys(sources.env)) {
    if (!variable.startsWith('LA_') || TOOLING_VARIABLES.includes(variable) || allVariables.includes(variable)) {
      continue;
    }
    const environment = names.find((name) => variable.startsWith(`LA_${name.toUpperCase()}_`));
    if (environment !== undefined) {
      const rest = variable.slice(`LA_${environment.toUpperCase()}_`.length);
      const suggestion = closest(rest, variables);
      problems.push(
        `${environment}: ${variable} is not an override variable${suggestion ? `; did you mean ${overrideVariable(environment, suggestion)}?` : ''} (overridable: ${variables.map((v) => overrideVariable(environment, v)).join(', ')})`,
      );
      continue;
    }
    const suggestion = closest(variable, allVariables);
    if (suggestion !== undefined) {
      problems.push(`${variable} names no environment's override; did you mean ${suggestion}?`);
    }
  }
  return problems;
}

function crossEnvironmentProblems(loaded: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  // Standby networks too: a failover peers them with what is left.
  const vpcs = loaded.flatMap((config) =>
    [
      { field: 'network.vpcCidr', cidr: config.network.vpcCidr, what: 'VPC' },
      ...(config.backup.standby
        ? [{ field: 'backup.standby.vpcCidr', cidr: config.backup.standby.vpcCidr, what: 'standby VPC' }]
        : []),
    ].flatMap(({ field, cidr, what }) => {
      const block = parseIpv4Cidr(cidr);
      return 'error' in block ? [] : [{ name: config.name, field, what, block }];
    }),
  );
  vpcs.forEach((a, i) => {
    for (const b of vpcs.slice(i + 1)) {
      // The standby's overlap with its own environment's VPC is reported by the schema.
      if (a.name !== b.name && cidrsOverlap(a.block, b.block)) {
        problems.push(
          `${b.name}: ${b.field}: ${b.block.cidr} overlaps the ${a.name} ${a.what} (${a.block.cidr}); environments need disjoint VPCs so they can be peered (in ${fileOf(b.name)})`,
        );
      }
    }
  });

  // One CI stack per account holds the account's OIDC provider and every deploy role of its
  // environments: they must name the same repository and provider.
  const firstOfAccount = new Map<string, EnvironmentConfig>();
  for (const config of loaded) {
    const first = firstOfAccount.get(config.account);
    if (first === undefined) {
      firstOfAccount.set(config.account, config);
      continue;
    }
    for (const field of ['repository', 'existingOidcProviderArn'] as const) {
      if (config.ci[field] !== first.ci[field]) {
        problems.push(
          `${config.name}: ci.${field}: ${JSON.stringify(config.ci[field])} differs from ${first.name}'s ${JSON.stringify(first.ci[field])} in the same account ${config.account}; one CI stack serves both (in ${fileOf(config.name)})`,
        );
      }
    }
  }

  // Names AWS requires to be unique per account (database and cache identifiers, web ACL, key aliases,
  // repositories) derive from `<Project>-<name>`; names have no hyphen and are unique keys of the
  // registry, so no two environments can derive the same one.

  // CloudFront alternate domain names are unique across all of AWS (CNAMEAlreadyExists).
  const owners = new Map<string, string>();
  for (const config of loaded) {
    if (config.domain === undefined) {
      continue;
    }
    const zone = config.domain.zoneName;
    config.edge.recordNames.forEach((record, index) => {
      const fqdn = record === '' ? zone : `${record}.${zone}`;
      const owner = owners.get(fqdn);
      if (owner !== undefined && owner !== config.name) {
        problems.push(
          `${config.name}: edge.recordNames[${index}]: "${record}" makes ${fqdn}, which ${owner} serves already; a CloudFront alias can belong to one distribution only (in ${fileOf(config.name)})`,
        );
      }
      owners.set(fqdn, owners.get(fqdn) ?? config.name);
    });
  }
  return problems;
}

function formatIssues(
  name: string,
  input: EnvironmentConfigInput,
  origins: Origins,
  issues: readonly z.core.$ZodIssue[],
): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    const note = provenance(input, origins, issue);
    return `${name}: ${path || '(root)'}: ${issue.message}${note ? ` (${note})` : ''}`;
  });
}

/**
 * What the message leaves out: the value, unless the message quotes it, and its source, when an
 * override set it (`got "x" from LA_PROD_REGION`). Values from the file are the file's: the header
 * says so once.
 */
function provenance(input: EnvironmentConfigInput, origins: Origins, issue: z.core.$ZodIssue): string {
  const dotted = issue.path.map(String).join('.');
  const origin = [...origins].find(([field]) => dotted === field || dotted.startsWith(`${field}.`))?.[1];
  const source = origin === undefined ? '' : `from ${origin}`;
  const value = issue.code === 'unrecognized_keys' ? undefined : valueAt(input, issue.path);
  const shown = value === undefined ? undefined : JSON.stringify(value);
  // A string is quoted as JSON ("1"); a number stands alone (1 in "1 is not", not in "12-digit").
  const quoted =
    shown !== undefined &&
    (issue.message.includes(shown) ||
      (typeof value === 'number' &&
        new RegExp(`(^|[^\\d.])${shown.replace('.', '\\.')}(?![\\d])`).test(issue.message)));
  const got = shown === undefined || shown.length > 80 || quoted ? '' : `got ${shown}`;
  return [got, source].filter((part) => part !== '').join(' ');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) {
      return undefined;
    }
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') {
      return `${acc}[${key}]`;
    }
    return acc === '' ? String(key) : `${acc}.${String(key)}`;
  }, '');
}

/**
 * The image tag CI passes with `-c imageTag=...`, checked like a Docker tag.
 *
 * @throws ConfigError for a tag Docker would refuse
 */
export function imageTagOverride(sources: Pick<ConfigSources<string>, 'context'>): string | undefined {
  const raw = sources.context('imageTag');
  if (raw === undefined || raw === '') {
    return undefined;
  }
  const tag = String(raw);
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
    throw new ConfigError(`imageTag: "${tag}" (from -c imageTag=...) is not a Docker tag`);
  }
  return tag;
}
