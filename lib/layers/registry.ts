import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { EnvironmentConfig } from '../../config';
import type { EnvironmentStackProps, RegistryStackProps } from '../../stacks';
import { removalPolicyOf } from './common';

/** Image repository props. */
export function registryProps(config: EnvironmentConfig): Omit<RegistryStackProps, keyof EnvironmentStackProps> {
  return {
    repository: {
      repositoryName: repositoryNameOf(config),
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      lifecycleRules: [
        { description: 'Keep the newest images only', maxImageCount: config.compute.repositoryMaxImages },
      ],
      removalPolicy: removalPolicyOf(config),
      emptyOnDelete: config.removalPolicy !== 'retain',
    },
  };
}

/** Name of the environment's image repository: `learning-assistant/prod/web`. */
export function repositoryNameOf(config: EnvironmentConfig): string {
  return `${config.tags.Project}/${config.name}/web`;
}
