import { PROJECT_TITLE, type EnvironmentConfig } from '../../config';
import type { EnvironmentStackProps, RegistryStackProps } from '../../stacks';
import { keyAdministratorsOf, removalPolicyOf } from './common';

/** Image repository props. */
export function registryProps(config: EnvironmentConfig): Omit<RegistryStackProps, keyof EnvironmentStackProps> {
  return {
    repository: {
      repositoryName: repositoryNameOf(config),
      maxImageCount: config.compute.repositoryMaxImages,
      // Where the repository goes with the stack, its images go with it (ImageRepository's default).
      removalPolicy: removalPolicyOf(config),
    },
    repositoryKey: {
      description: `${PROJECT_TITLE} images (alias/${config.tags.Project}/${config.name}/images)`,
      alias: `alias/${config.tags.Project}/${config.name}/images`,
      administrators: keyAdministratorsOf(config),
      // The key outlives the repository only where the repository is retained too.
      removalPolicy: removalPolicyOf(config),
    },
  };
}

/** Name of the environment's image repository: `learning-assistant/prod/web`. */
export function repositoryNameOf(config: EnvironmentConfig): string {
  return `${config.tags.Project}/${config.name}/web`;
}
