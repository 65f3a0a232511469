import { dev } from './dev';
import { prod } from './prod';
import type { EnvironmentConfigInput, EnvironmentName } from './schema';
import { staging } from './staging';

export * from './schema';
export { PROJECT_TITLE } from './shared';

/** The committed configuration of every environment, before overrides and validation. */
export const environments: Readonly<Record<EnvironmentName, EnvironmentConfigInput>> = { dev, staging, prod };
