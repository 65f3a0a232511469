import type { z } from 'zod';
import { cidrsOverlap, parseIpv4Cidr } from '../constructs/shared/cidr';
import {
  ENVIRONMENT_NAMES,
  environmentConfigSchema,
  environments as committedEnvironments,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
  type EnvironmentName,
} from '../config';

/**
 * Raised for any configuration problem. Its message is meant to be printed as is:
 * it names the environment, the field and the problem.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Where overrides come from. Only `bin/` and tests build one of these. */
export interface ConfigSources {
  /** Reads a CDK context value (`-c key=value` or `cdk.json`). */
  readonly context: (key: string) => unknown;
  /** The process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The configurations to load; the committed ones unless a test substitutes its own. */
  readonly environments?: Readonly<Record<string, EnvironmentConfigInput>>;
}

/** The overridable deployment-target fields, with the context key and variable that set them. */
const OVERRIDES = [
  { field: ['account'], context: 'account', variable: 'ACCOUNT', list: false },
  { field: ['region'], context: 'region', variable: 'REGION', list: false },
  { field: ['availabilityZones'], context: 'availabilityZones', variable: 'AVAILABILITY_ZONES', list: true },
  { field: ['drRegion'], context: 'drRegion', variable: 'DR_REGION', list: false },
  // Region-specific: moving an environment to another region needs that region's list too.
  {
    field: ['edge', 'originFacingPrefixListId'],
    context: 'cloudFrontPrefixList',
    variable: 'CLOUDFRONT_PREFIX_LIST',
    list: false,
  },
] as const;

/**
 * Which environments to build: all of them, or the one named by `-c env=<name>`.
 *
 * @throws ConfigError for an unknown name
 */
export function selectEnvironments(sources: Pick<ConfigSources, 'context'>): EnvironmentName[] {
  const requested = sources.context('env');
  if (requested === undefined || requested === '') {
    return [...ENVIRONMENT_NAMES];
  }
  const name = String(requested);
  if (!isEnvironmentName(name)) {
    throw new ConfigError(
      `Unknown environment "${name}" (from -c env=${name}): expected one of ${ENVIRONMENT_NAMES.join(', ')}`,
    );
  }
  return [name];
}

/**
 * Loads, overrides and validates every environment's configuration.
 *
 * All environments are validated even when one is selected, because the checks
 * across environments (non-overlapping VPCs, so they can be peered) need them all.
 *
 * Overrides, highest precedence first, for environment `prod` and field `account`:
 * `-c prod:account=...`, then `LA_PROD_ACCOUNT`. Availability zones are comma-separated. Also
 * `region`, `availabilityZones`, `drRegion` and `cloudFrontPrefixList` (`LA_PROD_CLOUDFRONT_PREFIX_LIST`).
 * The CLI's own `CDK_DEFAULT_ACCOUNT`/`CDK_DEFAULT_REGION` are deliberately not read: the CLI
 * fills them from whatever credentials are active, which would silently retarget every
 * environment at once.
 *
 * @throws ConfigError naming the environment, the field and the problem
 */
export function loadConfigs(sources: ConfigSources): Record<EnvironmentName, EnvironmentConfig> {
  const inputs = sources.environments ?? committedEnvironments;
  const unknown = Object.keys(inputs).filter((name) => !isEnvironmentName(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `Unknown environment "${unknown[0]}" in config/: expected one of ${ENVIRONMENT_NAMES.join(', ')}`,
    );
  }

  const problems: string[] = [];
  const loaded: Partial<Record<EnvironmentName, EnvironmentConfig>> = {};
  for (const name of ENVIRONMENT_NAMES) {
    const input = inputs[name];
    if (input === undefined) {
      problems.push(`${name}: the environment has no configuration in config/`);
      continue;
    }
    const result = environmentConfigSchema.safeParse(applyOverrides(name, input, sources));
    if (!result.success) {
      problems.push(...formatIssues(name, result.error.issues));
      continue;
    }
    if (result.data.name !== name) {
      problems.push(`${name}: name: "${result.data.name}" does not match the environment it configures ("${name}")`);
      continue;
    }
    loaded[name] = result.data;
  }

  problems.push(...crossEnvironmentProblems(loaded));
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return loaded as Record<EnvironmentName, EnvironmentConfig>;
}

function applyOverrides(
  name: EnvironmentName,
  input: EnvironmentConfigInput,
  sources: ConfigSources,
): EnvironmentConfigInput {
  const result = structuredClone(input) as unknown as Record<string, unknown>;
  for (const override of OVERRIDES) {
    const raw =
      sources.context(`${name}:${override.context}`) ?? sources.env[`LA_${name.toUpperCase()}_${override.variable}`];
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
  }
  return result as unknown as EnvironmentConfigInput;
}

function crossEnvironmentProblems(loaded: Partial<Record<EnvironmentName, EnvironmentConfig>>): string[] {
  const problems: string[] = [];
  const vpcs = Object.values(loaded).flatMap((config) => {
    const block = parseIpv4Cidr(config.network.vpcCidr);
    return 'error' in block ? [] : [{ name: config.name, block }];
  });
  vpcs.forEach((a, i) => {
    for (const b of vpcs.slice(i + 1)) {
      if (cidrsOverlap(a.block, b.block)) {
        problems.push(
          `${b.name}: network.vpcCidr: ${b.block.cidr} overlaps the ${a.name} VPC (${a.block.cidr}); environments need disjoint VPCs so they can be peered`,
        );
      }
    }
  });
  return problems;
}

function formatIssues(name: EnvironmentName, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${name}: ${formatPath(issue.path) || '(root)'}: ${issue.message}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') {
      return `${acc}[${key}]`;
    }
    return acc === '' ? String(key) : `${acc}.${String(key)}`;
  }, '');
}

function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

/**
 * The image tag CI passes with `-c imageTag=...`, checked like a Docker tag.
 *
 * @throws ConfigError for a tag Docker would refuse
 */
export function imageTagOverride(sources: Pick<ConfigSources, 'context'>): string | undefined {
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
