import type { Construct } from 'constructs';
import { ImageRepository, type ImageRepositoryProps } from '../constructs/registry';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';

/** Properties of a {@link RegistryStack}. */
export interface RegistryStackProps extends EnvironmentStackProps {
  /** The environment's image repository. */
  readonly repository: ImageRepositoryProps;
}

/**
 * The environment's image repository, in a stack of its own: it must exist, and CI must have pushed
 * an image to it, before the compute stack can run that image.
 */
export class RegistryStack extends EnvironmentStack {
  public readonly repository: ImageRepository;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    this.repository = new ImageRepository(this, 'Repository', props.repository);
  }
}
