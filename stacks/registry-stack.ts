import type { Construct } from 'constructs';
import { ImageRepository, type ImageRepositoryProps } from '../constructs/registry';
import { EncryptionKey, type EncryptionKeyProps } from '../constructs/security';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';

/** Properties of a {@link RegistryStack}. */
export interface RegistryStackProps extends EnvironmentStackProps {
  /** The environment's image repository, without its key (the stack supplies it). */
  readonly repository: Omit<ImageRepositoryProps, 'encryptionKey'>;
  /** The key encrypting the repository's images; the stack admits ECR to it. */
  readonly repositoryKey: Pick<EncryptionKeyProps, 'description' | 'alias' | 'administrators' | 'removalPolicy'>;
}

/**
 * The environment's image repository, in a stack of its own: it must exist, and CI must have pushed
 * an image to it, before the compute stack can run that image.
 */
export class RegistryStack extends EnvironmentStack {
  public readonly repository: ImageRepository;
  public readonly repositoryKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    // ECR creates its grants on the key through ecr.<region>.amazonaws.com.
    this.repositoryKey = new EncryptionKey(this, 'RepositoryKey', { ...props.repositoryKey, viaServices: ['ecr'] });
    this.repository = new ImageRepository(this, 'Repository', {
      ...props.repository,
      encryptionKey: this.repositoryKey,
    });
  }
}
