import { isWholeNumber, known, problemsOf, type Problem, type Rule } from '../shared/problems';

/** Enhanced-monitoring intervals RDS accepts, in seconds; 0 turns enhanced monitoring off. */
export const MONITORING_INTERVALS_SECONDS: readonly number[] = [0, 1, 5, 10, 15, 30, 60];

/** Days of automated backups RDS keeps; 0 would turn backups (and point-in-time recovery) off. */
export const BACKUP_RETENTION_DAYS = { min: 1, max: 35 } as const;

/** Minutes a CloudWatch alarm of one-minute periods may evaluate: its periods may span a day at most. */
export const READER_HEALTH_EVALUATION_MINUTES = { min: 1, max: 1440 } as const;

/** Lowercase, starting with a letter; 41 characters leave room for `-replica-N` within RDS's 63. */
const IDENTIFIER_PREFIX_PATTERN = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * What the PostgreSQL rules read, defaults already applied. Paths of problems name these fields,
 * which are also the names of `PostgresDatabaseProps` and of the config's `database` section.
 */
export interface PostgresDatabaseRuleInput {
  /**
   * Prefix of the instance and proxy identifiers.
   *
   * @default - not checked (the config schema has none: the identifier is derived later)
   */
  readonly identifierPrefix?: string;
  /** How many availability zones the primary and replicas may use. */
  readonly availabilityZoneCount: number;
  /** A synchronous standby in another AZ. */
  readonly multiAz: boolean;
  /** Read replicas, one per entry of `availabilityZones` after the first. */
  readonly readReplicas: number;
  /** Initial storage, in GiB. */
  readonly allocatedStorageGiB: number;
  /** Ceiling of storage autoscaling, in GiB. */
  readonly maxAllocatedStorageGiB: number;
  /** Automated backups, in days. */
  readonly backupRetentionDays: number;
  /** Enhanced monitoring interval, in seconds. */
  readonly monitoringIntervalSeconds: number;
  /**
   * Replica lag above which a replica leaves the reader endpoint, in seconds.
   *
   * @default - not checked (the config schema has none: the construct's default applies)
   */
  readonly replicaLagThresholdSeconds?: number;
  /**
   * Minutes a reader target must look unhealthy before it leaves the reader endpoint.
   *
   * @default - not checked (the config schema has none: the construct's default applies)
   */
  readonly readerHealthEvaluationMinutes?: number;
  /**
   * Database user the application writes as (through the proxy, IAM authentication).
   *
   * @default - not checked (the config schema has none: the construct's default applies)
   */
  readonly writerUser?: string;
  /**
   * Database user the application reads as (on the replicas, IAM authentication).
   *
   * @default - not checked (the config schema has none: the construct's default applies)
   */
  readonly readerUser?: string;
  /**
   * Master user name, which the application users must differ from.
   *
   * @default - not checked
   */
  readonly masterUsername?: string;
}

/**
 * A PostgreSQL role name that needs no quoting: lowercase, starting with a letter or underscore,
 * at most 63 bytes (NAMEDATALEN - 1); `pg_` is reserved for system roles and `rds` for RDS's own.
 * The same name is part of the `rds-db:connect` resource ARN, which is case-sensitive.
 */
const DATABASE_USER_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

function badDatabaseUser(user: string | undefined): boolean {
  return user !== undefined && known(user) && (!DATABASE_USER_PATTERN.test(user) || /^(pg_|rds)/.test(user));
}

/**
 * One row per rule. Every row skips values that are tokens (known only at deploy time), so a
 * construct given a token is never rejected for the token's placeholder text.
 */
const RULES: ReadonlyArray<Rule<PostgresDatabaseRuleInput>> = [
  {
    path: ['identifierPrefix'],
    broken: ({ identifierPrefix: prefix }) =>
      prefix !== undefined &&
      known(prefix) &&
      (!IDENTIFIER_PREFIX_PATTERN.test(prefix) || prefix.includes('--') || prefix.endsWith('-')),
    message: ({ identifierPrefix }) =>
      `"${identifierPrefix}" must start with a letter and use lowercase letters, digits and single hyphens, not at the end (at most 41 characters; RDS identifiers allow no '--')`,
  },
  {
    path: ['readReplicas'],
    broken: ({ readReplicas }) => known(readReplicas) && !isWholeNumber(readReplicas, 0),
    message: ({ readReplicas }) => `${readReplicas} is not a replica count; give a whole number, 0 or more`,
  },
  {
    path: ['readReplicas'],
    broken: ({ readReplicas, availabilityZoneCount: azs }) => known(readReplicas, azs) && readReplicas > azs - 1,
    message: ({ readReplicas, availabilityZoneCount: azs }) =>
      `${readReplicas} read replicas need an AZ each besides the first of ${azs} AZs; use at most ${azs - 1}`,
  },
  {
    path: ['readReplicas'],
    broken: ({ readReplicas, multiAz }) => known(readReplicas, multiAz) && readReplicas > 0 && !multiAz,
    message: ({ readReplicas }) =>
      `${readReplicas} read replica(s) in a single-AZ setup: enable multiAz first (replicas scale reads, only a standby protects writes)`,
  },
  {
    path: ['maxAllocatedStorageGiB'],
    broken: ({ allocatedStorageGiB: allocated, maxAllocatedStorageGiB: max }) =>
      known(allocated, max) && max <= allocated,
    message: ({ allocatedStorageGiB, maxAllocatedStorageGiB }) =>
      `${maxAllocatedStorageGiB} GiB must exceed allocatedStorageGiB (${allocatedStorageGiB}) for storage to autoscale`,
  },
  {
    path: ['backupRetentionDays'],
    broken: ({ backupRetentionDays: days }) =>
      known(days) && !isWholeNumber(days, BACKUP_RETENTION_DAYS.min, BACKUP_RETENTION_DAYS.max),
    message: ({ backupRetentionDays }) =>
      `${backupRetentionDays} days is not a retention RDS keeps: use ${BACKUP_RETENTION_DAYS.min} to ${BACKUP_RETENTION_DAYS.max} (0 would turn backups off)`,
  },
  {
    path: ['monitoringIntervalSeconds'],
    broken: ({ monitoringIntervalSeconds: interval }) =>
      known(interval) && !MONITORING_INTERVALS_SECONDS.includes(interval),
    message: ({ monitoringIntervalSeconds }) =>
      `${monitoringIntervalSeconds} is not an interval RDS accepts; use one of ${MONITORING_INTERVALS_SECONDS.join(', ')} (0 turns enhanced monitoring off)`,
  },
  {
    path: ['replicaLagThresholdSeconds'],
    broken: ({ replicaLagThresholdSeconds: seconds }) =>
      seconds !== undefined && known(seconds) && !(Number.isFinite(seconds) && seconds > 0),
    message: ({ replicaLagThresholdSeconds }) =>
      `${replicaLagThresholdSeconds} is not a lag threshold; give a number of seconds above 0 (a replica at 0 lag would already breach it)`,
  },
  {
    path: ['readerHealthEvaluationMinutes'],
    broken: ({ readerHealthEvaluationMinutes: minutes }) =>
      minutes !== undefined &&
      known(minutes) &&
      !isWholeNumber(minutes, READER_HEALTH_EVALUATION_MINUTES.min, READER_HEALTH_EVALUATION_MINUTES.max),
    message: ({ readerHealthEvaluationMinutes }) =>
      `${readerHealthEvaluationMinutes} minutes: give a whole number from ${READER_HEALTH_EVALUATION_MINUTES.min} to ${READER_HEALTH_EVALUATION_MINUTES.max} (CloudWatch evaluates at most a day of one-minute periods)`,
  },
  ...(['writerUser', 'readerUser'] as const).map((field): Rule<PostgresDatabaseRuleInput> => ({
    path: [field],
    broken: (input) => badDatabaseUser(input[field]),
    message: (input) =>
      `"${input[field]}" is not an application user name: use lowercase letters, digits and underscores, starting with a letter or underscore, at most 63 characters, not starting with pg_ or rds`,
  })),
  {
    path: ['readerUser'],
    broken: ({ writerUser, readerUser }) =>
      writerUser !== undefined &&
      readerUser !== undefined &&
      known(writerUser, readerUser) &&
      writerUser === readerUser,
    message: ({ readerUser }) =>
      `"${readerUser}" is also the writer user: the reader must be a separate, read-only user`,
  },
  ...(['writerUser', 'readerUser'] as const).map((field): Rule<PostgresDatabaseRuleInput> => ({
    path: [field],
    broken: (input) =>
      input[field] !== undefined &&
      input.masterUsername !== undefined &&
      known(input[field], input.masterUsername) &&
      input[field] === input.masterUsername,
    message: (input) =>
      `"${input[field]}" is the master user: the application must never connect as the master user (rds_superuser)`,
  })),
];

/**
 * Every reason a PostgreSQL setup cannot be built, in table order: replicas without a standby or
 * without an AZ of their own, storage that cannot autoscale, backup retention and monitoring
 * intervals RDS refuses, identifiers RDS refuses, reader health thresholds CloudWatch cannot evaluate,
 * application user names that are not plain PostgreSQL role names, equal each other or the master user.
 *
 * The one home of these rules: `PostgresDatabase` throws them all at once, the config schema reports
 * them under `database`, both with the same words.
 */
export function postgresDatabaseProblems(input: PostgresDatabaseRuleInput): Problem[] {
  return problemsOf(input, RULES);
}

/**
 * The instance identifiers `PostgresDatabase` gives its primary and its read replicas: operations
 * commands (restore drills, deployment checks) and a cross-region replica find the instances by
 * these, so they are derived here once.
 */
export function postgresInstanceIdentifiers(
  identifierPrefix: string,
  readReplicas = 0,
): { readonly primary: string; readonly replicas: readonly string[] } {
  return {
    primary: `${identifierPrefix}-primary`,
    replicas: Array.from({ length: readReplicas }, (_, index) => `${identifierPrefix}-replica-${index + 1}`),
  };
}

/** What the cross-region replica rules read. Paths name these fields, as `CrossRegionReplicaProps` does. */
export interface CrossRegionReplicaRuleInput {
  /** Region of the source instance. */
  readonly sourceRegion: string;
  /** Region the replica is created in (the stack's). */
  readonly region: string;
  /** Identifier of the replica. */
  readonly instanceIdentifier: string;
  /** Ceiling of storage autoscaling, in GiB. */
  readonly maxAllocatedStorageGiB: number;
  /** Enhanced monitoring interval, in seconds. */
  readonly monitoringIntervalSeconds: number;
}

/** RDS instance identifiers: a letter first, letters, digits and single hyphens, at most 63. */
const INSTANCE_IDENTIFIER_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

const CROSS_REGION_REPLICA_RULES: ReadonlyArray<Rule<CrossRegionReplicaRuleInput>> = [
  {
    path: ['sourceRegion'],
    broken: ({ sourceRegion, region }) => known(sourceRegion, region) && sourceRegion === region,
    message: ({ sourceRegion }) =>
      `the replica's stack is in the source's region too (${sourceRegion}): a cross-region replica belongs in another region (use PostgresDatabase's readReplicas in the same region)`,
  },
  {
    path: ['instanceIdentifier'],
    broken: ({ instanceIdentifier: id }) =>
      known(id) && (!INSTANCE_IDENTIFIER_PATTERN.test(id) || id.includes('--') || id.endsWith('-')),
    message: ({ instanceIdentifier }) =>
      `"${instanceIdentifier}" is not an RDS instance identifier: lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen, at most 63 characters`,
  },
  {
    path: ['maxAllocatedStorageGiB'],
    broken: ({ maxAllocatedStorageGiB: max }) => known(max) && !isWholeNumber(max, 21, 65536),
    message: ({ maxAllocatedStorageGiB }) =>
      `${maxAllocatedStorageGiB} GiB is not a storage ceiling RDS accepts: give a whole number from 21 to 65536, at least the source's`,
  },
  {
    path: ['monitoringIntervalSeconds'],
    broken: ({ monitoringIntervalSeconds: interval }) =>
      known(interval) && !MONITORING_INTERVALS_SECONDS.includes(interval),
    message: ({ monitoringIntervalSeconds }) =>
      `${monitoringIntervalSeconds} is not an interval RDS accepts; use one of ${MONITORING_INTERVALS_SECONDS.join(', ')} (0 turns enhanced monitoring off)`,
  },
];

/**
 * Every reason a cross-region replica cannot be built: a replica in its source's region, an
 * identifier RDS refuses, a storage ceiling out of RDS's range. `CrossRegionReplica` throws them
 * all at once; the config schema reports them under its standby section.
 */
export function crossRegionReplicaProblems(input: CrossRegionReplicaRuleInput): Problem[] {
  return problemsOf(input, CROSS_REGION_REPLICA_RULES);
}
