import {
  ENVIRONMENT_NAMES,
  environmentConfigSchema,
  environments,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
  type EnvironmentName,
} from '../../config';
import { loadConfigs } from '../../lib/config-loader';

/** No CDK context: nothing overrides the committed files. */
const noContext = (): unknown => undefined;

let committed: Readonly<Record<EnvironmentName, EnvironmentConfig>> | undefined;

/**
 * The committed configuration of every environment, validated, without overrides from the developer's
 * shell (no context, no `LA_*` variables): what the shared synthesis of `global-setup.ts` builds.
 * Loaded once per test file and frozen, so no test can change what the next one reads.
 */
export function committedConfigs(): Readonly<Record<EnvironmentName, EnvironmentConfig>> {
  committed ??= deepFreeze(loadConfigs({ context: noContext, env: {} }));
  return committed;
}

/**
 * Loads the committed configs with one environment's input replaced by `mutate(copy)`; returns the
 * load, for `expect(...).toThrow(...)`.
 */
export function loadWith(
  name: EnvironmentName,
  mutate: (config: EnvironmentConfigInput & Record<string, any>) => void,
): () => unknown {
  const copy = structuredClone(environments[name]) as EnvironmentConfigInput & Record<string, any>;
  mutate(copy);
  return () => loadConfigs({ context: noContext, env: {}, environments: { ...environments, [name]: copy } });
}

/**
 * The messages the schema alone reports at `path` (e.g. `database.readReplicas`) for `name`'s
 * committed input changed by `mutate`: how rule tests compare config's words with a construct's.
 */
export function schemaMessages(
  path: string,
  mutate: (config: EnvironmentConfigInput & Record<string, any>) => void,
  name: EnvironmentName = 'prod',
): string[] {
  const copy = structuredClone(environments[name]) as EnvironmentConfigInput & Record<string, any>;
  mutate(copy);
  const issues = environmentConfigSchema.safeParse(copy).error?.issues ?? [];
  return issues.filter((issue) => issue.path.join('.') === path).map((issue) => issue.message);
}

/** One entry per environment: which branch of a test each environment's committed config takes. */
export type PerEnvironment<T> = Readonly<Record<EnvironmentName, T>>;

/**
 * The environments whose entry in `table` is `value` (or passes `value`, a predicate), for
 * `describe.each`. A branch no environment takes any more is an error, not a silently empty
 * `describe`: remove its tests deliberately.
 */
export function environmentsWhere<T>(table: PerEnvironment<T>, value: T | ((entry: T) => boolean)): EnvironmentName[] {
  const matches = typeof value === 'function' ? (value as (entry: T) => boolean) : (entry: T) => entry === value;
  const selected = ENVIRONMENT_NAMES.filter((environment) => matches(table[environment]));
  if (selected.length === 0) {
    throw new Error(`No environment takes this branch of ${JSON.stringify(table)} (${String(value)})`);
  }
  return selected;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}
