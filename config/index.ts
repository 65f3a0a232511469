import { dev } from './dev';
import { prod } from './prod';
import type { EnvironmentConfigInput } from './schema';
import { staging } from './staging';

export * from './schema';
export { PROJECT_TITLE } from './shared';

/**
 * The registry of environments: the one place an environment is added. Each key is the
 * environment's name (and its config's `name`); everything else derives from it: the stage
 * (`qa` -> `Qa`), the `-c env=` selector, the override variables (`LA_QA_ACCOUNT`). To add one,
 * copy a config file to `config/<name>.ts`, give it a disjoint `network.vpcCidr`, and list it here
 * (docs/configuration.md, "Adding an environment").
 */
export const environments = { dev, staging, prod } satisfies Readonly<Record<string, EnvironmentConfigInput>>;

/** The name of a committed environment. */
export type EnvironmentName = keyof typeof environments;

/** The committed environments' names, in registry order (the order stages are built in). */
export const ENVIRONMENT_NAMES = Object.keys(environments) as EnvironmentName[];
