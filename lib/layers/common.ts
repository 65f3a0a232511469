import { RemovalPolicy } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../../config';

/** The removal policy of stateful resources in this environment. */
export function removalPolicyOf(config: EnvironmentConfig): RemovalPolicy {
  return config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/** The removal policy of databases and caches: a final snapshot where data is retained. */
export function dataRemovalPolicyOf(config: EnvironmentConfig): RemovalPolicy {
  return config.removalPolicy === 'retain' ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY;
}
