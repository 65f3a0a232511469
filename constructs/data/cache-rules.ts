import { isWholeNumber, known, problemsOf, type Problem, type Rule } from '../shared/problems';

/** Replicas per shard ElastiCache allows. */
export const REPLICAS_PER_SHARD = { min: 0, max: 5 } as const;

/** Days of daily snapshots ElastiCache keeps; 0 turns them off. */
export const SNAPSHOT_RETENTION_DAYS = { min: 0, max: 35 } as const;

/**
 * Engine versions that support role-based access control (users and user groups), which the cache
 * always uses: Redis OSS from 6.0 (ElastiCache's last Redis OSS is 7.1), Valkey from 7.2 (its first).
 */
export const RBAC_ENGINE_VERSIONS = {
  redis: { min: [6, 0], max: [7, 1], text: '6.0 to 7.1' },
  valkey: { min: [7, 2], max: undefined, text: '7.2 or later' },
} as const;

/**
 * Engine versions with IAM authentication, which the application user always uses: Redis OSS 7.0
 * and later, Valkey 7.2 and later (ElastiCache User Guide, "Authenticating with IAM", Limitations).
 */
export const IAM_AUTH_ENGINE_VERSIONS = {
  redis: { min: [7, 0], text: '7.0 or later' },
  valkey: { min: [7, 2], text: '7.2 or later' },
} as const;

/** `7.1` -> [7, 1]; `undefined` for anything that is not `<major>.<minor>`. */
function majorMinor(version: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function compare([a1, a2]: readonly [number, number], [b1, b2]: readonly [number, number]): number {
  return a1 === b1 ? a2 - b2 : a1 - b1;
}

/**
 * `version` as [major, minor] when the engine runs users and user groups at that version, else
 * `undefined` (not `<major>.<minor>`, or outside the RBAC range). Both version rows read it.
 */
function rbacVersion(engine: keyof typeof RBAC_ENGINE_VERSIONS, version: string): [number, number] | undefined {
  const parsed = majorMinor(version);
  const { min, max } = RBAC_ENGINE_VERSIONS[engine];
  const inRange = parsed !== undefined && compare(parsed, min) >= 0 && (max === undefined || compare(parsed, max) <= 0);
  return inRange ? parsed : undefined;
}

/** Lowercase, starting with a letter, at most 40 characters (ElastiCache allows 40). */
const REPLICATION_GROUP_ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * What the cache rules read, defaults already applied. Paths of problems name these fields, which
 * are also the names of `CacheClusterProps` and of the config's `cache` section.
 */
export interface CacheClusterRuleInput {
  /**
   * Identifier of the replication group.
   *
   * @default - not checked (the config schema has none: the identifier is derived later)
   */
  readonly replicationGroupId?: string;
  /**
   * Engine: `redis` or `valkey`.
   *
   * @default - not checked together with `engineVersion`
   */
  readonly engine?: 'redis' | 'valkey';
  /**
   * Engine version, `<major>.<minor>`.
   *
   * @default - not checked
   */
  readonly engineVersion?: string;
  /** Data sharded over `shards` node groups. */
  readonly clusterMode: boolean;
  /** Node groups. */
  readonly shards: number;
  /** Replicas per node group. */
  readonly replicasPerShard: number;
  /** Automatic failover to a replica in another AZ. */
  readonly multiAz: boolean;
  /** Daily snapshots kept, in days. */
  readonly snapshotRetentionDays: number;
}

/**
 * One row per rule. Every row skips values that are tokens (known only at deploy time), so a
 * construct given a token is never rejected for the token's placeholder text.
 */
const RULES: ReadonlyArray<Rule<CacheClusterRuleInput>> = [
  {
    path: ['replicationGroupId'],
    broken: ({ replicationGroupId: id }) =>
      id !== undefined &&
      known(id) &&
      (!REPLICATION_GROUP_ID_PATTERN.test(id) || id.endsWith('-') || id.includes('--')),
    message: ({ replicationGroupId }) =>
      `"${replicationGroupId}" must start with a letter, use lowercase letters, digits and single hyphens, and be at most 40 characters`,
  },
  {
    path: ['engineVersion'],
    broken: ({ engine, engineVersion: version }) =>
      engine !== undefined &&
      version !== undefined &&
      known(engine, version) &&
      rbacVersion(engine, version) === undefined,
    message: ({ engine, engineVersion }) =>
      `"${engineVersion}" is not a ${engine} version ElastiCache runs with users and user groups (role-based access control); use ${engine === undefined ? '' : RBAC_ENGINE_VERSIONS[engine].text}, as <major>.<minor>`,
  },
  {
    // Only versions the row above accepts: one problem per bad version.
    path: ['engineVersion'],
    broken: ({ engine, engineVersion: version }) => {
      if (engine === undefined || version === undefined || !known(engine, version)) {
        return false;
      }
      const parsed = rbacVersion(engine, version);
      return parsed !== undefined && compare(parsed, IAM_AUTH_ENGINE_VERSIONS[engine].min) < 0;
    },
    message: ({ engine, engineVersion }) =>
      `"${engineVersion}" has no IAM authentication, which the application user needs (no cache password exists); use ${engine} ${engine === undefined ? '' : IAM_AUTH_ENGINE_VERSIONS[engine].text}`,
  },
  {
    path: ['replicasPerShard'],
    broken: ({ replicasPerShard: replicas }) =>
      known(replicas) && !isWholeNumber(replicas, REPLICAS_PER_SHARD.min, REPLICAS_PER_SHARD.max),
    message: ({ replicasPerShard }) =>
      `${replicasPerShard} replicas per shard; ElastiCache allows a whole number from ${REPLICAS_PER_SHARD.min} to ${REPLICAS_PER_SHARD.max}`,
  },
  {
    path: ['replicasPerShard'],
    broken: ({ multiAz, replicasPerShard }) => known(multiAz, replicasPerShard) && multiAz && replicasPerShard < 1,
    message: () => 'multiAz needs at least one replica per shard to fail over to',
  },
  {
    path: ['shards'],
    broken: ({ shards }) => known(shards) && !isWholeNumber(shards, 1),
    message: ({ shards }) => `${shards} is not a shard count; give a whole number, 1 or more`,
  },
  {
    path: ['shards'],
    broken: ({ clusterMode, shards }) => known(clusterMode, shards) && !clusterMode && shards > 1,
    message: ({ shards }) => `${shards} shards need clusterMode: true`,
  },
  {
    path: ['snapshotRetentionDays'],
    broken: ({ snapshotRetentionDays: days }) =>
      known(days) && !isWholeNumber(days, SNAPSHOT_RETENTION_DAYS.min, SNAPSHOT_RETENTION_DAYS.max),
    message: ({ snapshotRetentionDays }) =>
      `${snapshotRetentionDays} days is not a retention ElastiCache keeps: use ${SNAPSHOT_RETENTION_DAYS.min} to ${SNAPSHOT_RETENTION_DAYS.max} (0 turns snapshots off)`,
  },
];

/**
 * Every reason a cache setup cannot be built, in table order: identifiers, engine versions without
 * role-based access control (or that the engine never had) or without IAM authentication, replica counts
 * ElastiCache refuses, Multi-AZ without a replica to fail over to, shards without cluster mode,
 * snapshot retention out of range.
 *
 * The one home of these rules: `CacheCluster` throws them all at once, the config schema reports
 * them under `cache`, both with the same words.
 */
export function cacheClusterProblems(input: CacheClusterRuleInput): Problem[] {
  return problemsOf(input, RULES);
}
