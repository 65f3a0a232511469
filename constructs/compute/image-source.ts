import * as ecr_assets from 'aws-cdk-lib/aws-ecr-assets';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** Where the application image comes from. */
export type ImageSource =
  /** A directory with a Dockerfile, built for ARM64 by `cdk deploy` (synthesis only stages it, no Docker needed). */
  | { readonly kind: 'asset'; readonly directory: string }
  /** An immutable tag in the environment's repository, pushed by CI. */
  | { readonly kind: 'repository'; readonly tag: string };

/** The container image for `source`, taking tags from `repository`. */
export function containerImage(source: ImageSource, repository: ecr.IRepository): ecs.ContainerImage {
  return source.kind === 'asset'
    ? ecs.ContainerImage.fromAsset(source.directory, { platform: ecr_assets.Platform.LINUX_ARM64 })
    : ecs.ContainerImage.fromEcrRepository(repository, source.tag);
}
