/**
 * What ElastiCache offers for the engines this project runs (Redis OSS and Valkey, node-based).
 */

/**
 * Engine versions ElastiCache creates node-based replication groups with, by config engine name.
 *
 * Source: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html and
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html (as of early 2026;
 * Redis OSS stops at 7.1, later versions are Valkey).
 */
export const CACHE_ENGINE_VERSIONS_OFFERED = {
  redis: ['4.0.10', '5.0.6', '6.0', '6.2', '7.0', '7.1'],
  valkey: ['7.2', '8.0', '8.1', '8.2', '9.0', '9.1'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/**
 * The oldest version per engine this project runs: the application user authenticates with IAM,
 * which ElastiCache offers from Redis OSS 7.0 and Valkey 7.2
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html).
 */
export const CACHE_MINIMUM_VERSIONS = { redis: '7.0', valkey: '7.2' } as const;

/** The versions of `engine` that ElastiCache offers and this project runs. */
export function supportedCacheVersions(engine: keyof typeof CACHE_ENGINE_VERSIONS_OFFERED): string[] {
  const offered: readonly string[] = CACHE_ENGINE_VERSIONS_OFFERED[engine];
  return offered.slice(offered.indexOf(CACHE_MINIMUM_VERSIONS[engine]));
}

const STANDARD_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] as const;

/**
 * Graviton node types for Valkey and Redis OSS, current generation. Data-tiering types (r6gd) are
 * left out: they need data tiering, which the cache construct does not turn on.
 *
 * Source: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html
 * (as of early 2026; availability varies by region, e.g. only m7g/r7g/t4g in ap-southeast-7 and
 * mx-central-1).
 */
export const CACHE_NODE_TYPES: readonly string[] = [
  ...['micro', 'small', 'medium'].map((size) => `cache.t4g.${size}`),
  ...['m6g', 'm7g', 'm8g', 'r6g', 'r7g', 'r8g'].flatMap((family) =>
    STANDARD_SIZES.map((size) => `cache.${family}.${size}`),
  ),
];

/**
 * Node groups (shards) of one cluster-mode replication group.
 *
 * Source: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html ("Nodes per
 * cluster (cluster mode enabled)": 500 nodes, up to 500 shards).
 */
export const CACHE_MAX_SHARDS = 500;
