import * as iam from 'aws-cdk-lib/aws-iam';
import { PROJECT_TITLE, type EnvironmentConfig } from '../../config';
import { PARTITION } from '../../config/aws/regions';
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
      // CI pushes the commit's image through the bootstrap image-publishing role its deploy role
      // assumes (docs/ci.md); that role's own policy covers only the CDK assets repository.
      pushPrincipals: [new iam.ArnPrincipal(imagePublishingRoleArnOf(config))],
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

/** The CDK bootstrap image-publishing role of the environment's home region (default qualifier). */
export function imagePublishingRoleArnOf(config: EnvironmentConfig): string {
  return `arn:${PARTITION}:iam::${config.account}:role/cdk-hnb659fds-image-publishing-role-${config.account}-${config.region}`;
}
