import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { EnvironmentConfig } from '../../config';

/** The removal policy of stateful resources in this environment. */
export function removalPolicyOf(config: EnvironmentConfig): RemovalPolicy {
  // Retained on update and delete, but removed when the stack's first create rolls back: a retained
  // leftover with a fixed name (log group, bucket, replica, repository) would make every retry of
  // that create fail with "already exists".
  return config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
}

/** The removal policy of databases and caches: a final snapshot where data is retained. */
export function dataRemovalPolicyOf(config: EnvironmentConfig): RemovalPolicy {
  return config.removalPolicy === 'retain' ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY;
}

/**
 * The configured administrators of every KMS key of the environment (`EncryptionKey.administrators`),
 * `role/<name>` entries in the environment's account. Without them only the deployment role
 * administers the keys.
 */
export function keyAdministratorsOf(config: EnvironmentConfig): iam.IPrincipal[] {
  return (config.security?.keyAdministrators ?? []).map(
    (entry) =>
      new iam.ArnPrincipal(entry.startsWith('arn:') ? entry : `arn:${Aws.PARTITION}:iam::${config.account}:${entry}`),
  );
}
