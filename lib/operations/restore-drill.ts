import type {
  DBInstance,
  DBSnapshot,
  RestoreDBInstanceFromDBSnapshotCommandInput,
  RestoreDBInstanceToPointInTimeCommandInput,
  Tag,
} from '@aws-sdk/client-rds';
import { isKnownRegion, REGIONS } from '../../config/aws/regions';
import { didYouMean } from '../../config/suggest';
import { readOptions, type Parsed } from './command-line';

/**
 * Recovery time objective of the database (issue "Backup and DR"): a lost database must be serving
 * again within 4 hours. The drill measures the part that dominates it: restoring to an available
 * instance.
 */
export const RTO_SECONDS = 4 * 3600;

/** Recovery point objective (same issue): at most 1 hour of committed data may be lost. */
export const RPO_SECONDS = 3600;

/** The drill's instance class unless `--instance-class`: the cheapest Graviton class. */
export const DEFAULT_INSTANCE_CLASS = 'db.t4g.micro';

/** Tag key and value every drill instance carries, to find leftovers. */
export const PURPOSE_TAG = { Key: 'purpose', Value: 'restore-drill' } as const;

/** Tag key of the drill run that created an instance: clean-up deletes only an instance with its own run's value. */
export const RUN_TAG_KEY = 'restore-drill-run';

/** Longest wait between two status checks: backoff stops growing here (unless `--poll` is longer). */
const MAX_POLL_SECONDS = 60;

/** Which restorable point the drill uses; `auto` prefers point-in-time restore. */
export type PointPreference = 'auto' | 'pitr' | 'snapshot';
const POINT_PREFERENCES: readonly PointPreference[] = ['auto', 'pitr', 'snapshot'];

export const USAGE = `Usage: npm run restore-drill -- --env <name> [options]

Restores the newest restorable point of the environment's primary database to a temporary, isolated
instance, waits until it is available, reports the measured restore time against the RTO (4 h) and
the age of the point against the RPO (1 h), and deletes the instance again: always, also after a
failure, a time-out or Ctrl-C (SIGINT, SIGTERM, SIGHUP).

  --env <name>                    the environment (required)
  --isolated-security-group <id>  security group of the restored instance, in the database's VPC, with no
                                  ingress rule (required unless --dry-run); the Data stack provides it
  --point <auto|pitr|snapshot>    what to restore (default auto): pitr restores to the latest restorable time
                                  (the point a real recovery uses); snapshot, the newest available snapshot;
                                  auto, pitr when automated backups are on, else the newest snapshot
  --instance-class <class>        class of the restored instance (default ${DEFAULT_INSTANCE_CLASS}); the prod class
                                  gives a restore time closer to a real recovery
  --timeout <duration>            give up waiting after this long, e.g. 90m, 1h30m (default 4h, the RTO)
  --poll <duration>               first wait between status checks, growing to ${MAX_POLL_SECONDS}s (default 30s)
  --region <region>               the database's region (default: the environment's)
  --endpoint-url <url>            RDS endpoint, for tests (default: AWS_ENDPOINT_URL_RDS or AWS_ENDPOINT_URL)
  --dry-run                       print the plan; create, change and delete nothing
  --json                          print the report as JSON on stdout; everything else goes to stderr
  -h, --help                      print this help

Exit codes:
  0  the drill passed: restored, within the RTO and the RPO, and the instance's deletion was accepted
     (also: --dry-run printed a plan)
  1  the drill failed, timed out, was interrupted, missed the RTO or the RPO, or could not delete its instance
  2  bad arguments or configuration; nothing was created`;

/** The command's options, checked. */
export interface RestoreDrillOptions {
  readonly env: string;
  /** @default - the environment's region */
  readonly region?: string;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
  readonly instanceClass: string;
  /** @default - the SDK's endpoint for the region */
  readonly endpointUrl?: string;
  /** Required unless {@link dryRun}. */
  readonly isolatedSecurityGroupId?: string;
  readonly point: PointPreference;
}

/** What {@link parseRestoreDrillArgs} makes of the command line. */
export type ParsedArgs = Parsed<RestoreDrillOptions>;

/**
 * Parses and checks the command line; reports every problem at once, each with the value and the fix.
 *
 * @param environments the names `--env` accepts
 * @param env the process environment, for `AWS_ENDPOINT_URL_RDS` and `AWS_ENDPOINT_URL`
 */
export function parseRestoreDrillArgs(
  argv: readonly string[],
  environments: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedArgs {
  const read = readOptions(argv, {
    env: { type: 'string' },
    region: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    poll: { type: 'string' },
    'instance-class': { type: 'string' },
    'endpoint-url': { type: 'string' },
    'isolated-security-group': { type: 'string' },
    point: { type: 'string' },
  });
  if (read.kind !== 'values') return read;
  const { values } = read;

  const problems: string[] = [];
  const text = (name: string) => values[name] as string | undefined;
  const envName = text('env');
  if (envName === undefined) {
    problems.push(`--env is required: one of ${environments.join(', ')}`);
  } else if (!environments.includes(envName)) {
    problems.push(
      `--env ${envName}: not an environment${didYouMean(envName, environments)} (one of ${environments.join(', ')})`,
    );
  }

  const region = text('region');
  if (region !== undefined && !isKnownRegion(region)) {
    problems.push(`--region ${region}: not an AWS region${didYouMean(region, REGIONS)}`);
  }

  const duration = (name: string, fallback: string, minSeconds: number, maxSeconds: number): number => {
    const raw = text(name) ?? fallback;
    const seconds = parseDuration(raw);
    if (seconds === undefined) {
      problems.push(`--${name} ${raw}: not a duration: use whole numbers with units h, m, s, e.g. 90m, 1h30m, 45s`);
      return 0;
    }
    if (seconds < minSeconds || seconds > maxSeconds) {
      problems.push(
        `--${name} ${raw}: must be from ${formatSeconds(minSeconds)} to ${formatSeconds(maxSeconds)} (h:mm:ss)`,
      );
    }
    return seconds;
  };
  // 0s is allowed: the drill then restores, checks once, times out and cleans up.
  const timeoutSeconds = duration('timeout', '4h', 0, 24 * 3600);
  const pollSeconds = duration('poll', '30s', 1, 600);

  const instanceClass = text('instance-class') ?? DEFAULT_INSTANCE_CLASS;
  if (!/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceClass)) {
    problems.push(`--instance-class ${instanceClass}: not a DB instance class, e.g. db.t4g.micro or db.m7g.large`);
  }

  const endpointUrl = text('endpoint-url') ?? nonEmpty(env.AWS_ENDPOINT_URL_RDS) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (endpointUrl !== undefined && !isHttpUrl(endpointUrl)) {
    const source = text('endpoint-url') !== undefined ? '--endpoint-url' : 'AWS_ENDPOINT_URL(_RDS)';
    problems.push(`${source} ${endpointUrl}: not an http(s) URL, e.g. http://localhost:5000`);
  }

  const dryRun = values['dry-run'] === true;
  const securityGroup = text('isolated-security-group');
  if (securityGroup !== undefined && !/^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(securityGroup)) {
    problems.push(`--isolated-security-group ${securityGroup}: not a security group ID (sg- and 8 or 17 hex digits)`);
  } else if (securityGroup === undefined && !dryRun) {
    problems.push(
      "--isolated-security-group is required (except with --dry-run): the ID of a security group in the database's " +
        'VPC with no ingress rule, so nothing can reach the restored copy',
    );
  }

  const point = text('point') ?? 'auto';
  if (!(POINT_PREFERENCES as readonly string[]).includes(point)) {
    problems.push(`--point ${point}: expected one of ${POINT_PREFERENCES.join(', ')}`);
  }

  if (problems.length > 0) return { kind: 'problems', problems };
  return {
    kind: 'options',
    options: {
      env: envName as string,
      region,
      dryRun,
      json: values.json === true,
      timeoutSeconds,
      pollSeconds,
      instanceClass,
      endpointUrl,
      isolatedSecurityGroupId: securityGroup,
      point: point as PointPreference,
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `90m`, `1h30m`, `45s`, `0s` to seconds; undefined for anything else (no bare numbers: `90` is ambiguous). */
export function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (text.trim() === '' || match === null) return undefined;
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return (hours as number) * 3600 + (minutes as number) * 60 + (seconds as number);
}

/** Seconds as `h:mm:ss`, e.g. `4:00:00`. */
export function formatSeconds(total: number): string {
  const seconds = Math.max(0, Math.round(total));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

/**
 * Identifier of the drill's instance: `<prefix>-drill-<yyyymmddhhmm>` (UTC). The prefix is shortened
 * if needed to keep within the 63 characters RDS allows, without a trailing hyphen.
 */
export function drillInstanceIdentifier(prefix: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 12);
  const suffix = `-drill-${stamp}`;
  const head = prefix
    .toLowerCase()
    .slice(0, 63 - suffix.length)
    .replace(/-+$/, '');
  return `${head}${suffix}`;
}

/** The point the drill restores. */
export type RestorePoint =
  | {
      readonly kind: 'pitr';
      /** The source's latest restorable time, the restore time requested. */
      readonly time: Date;
    }
  | {
      readonly kind: 'snapshot';
      readonly snapshotId: string;
      readonly snapshotType: string;
      /** When the snapshot's data was taken (for a copy: the original's time). */
      readonly time: Date;
      /** The snapshot's engine version, to tell whether the source's parameter group still fits it. */
      readonly engineVersion?: string;
    };

/**
 * Chooses the point to restore.
 *
 * Point-in-time restore to the latest restorable time comes first (`auto`): it is what a real
 * recovery after losing the database uses, it replays the transaction logs on top of the last
 * snapshot (so it tests both), and it is the only point that can meet a 1-hour RPO when snapshots
 * are daily. Without automated backups (retention 0, no latest restorable time) the newest
 * available snapshot (automated, manual or AWS Backup) is used. `--point` forces either.
 *
 * @returns the point, or why there is none
 */
export function chooseRestorePoint(
  instance: DBInstance,
  snapshots: readonly DBSnapshot[],
  preference: PointPreference,
): { readonly point: RestorePoint } | { readonly problem: string } {
  const retention = instance.BackupRetentionPeriod ?? 0;
  const pitr: RestorePoint | undefined =
    retention > 0 && instance.LatestRestorableTime !== undefined
      ? { kind: 'pitr', time: instance.LatestRestorableTime }
      : undefined;
  const snapshot = newestSnapshot(instance.DBInstanceIdentifier, snapshots);
  const source = instance.DBInstanceIdentifier ?? 'the instance';
  const noPitr =
    retention > 0
      ? 'point-in-time restore is unavailable (no latest restorable time yet)'
      : 'point-in-time restore is off (backup retention 0 days)';
  const noSnapshot = 'it has no available snapshot (automated, manual or AWS Backup)';

  if (preference === 'pitr') {
    return pitr !== undefined ? { point: pitr } : { problem: `${source}: ${noPitr}` };
  }
  if (preference === 'snapshot') {
    return snapshot !== undefined ? { point: snapshot } : { problem: `${source}: ${noSnapshot}` };
  }
  const point = pitr ?? snapshot;
  if (point !== undefined) return { point };
  return {
    problem:
      `${source} has no restorable point: ${noPitr}, and ${noSnapshot}. Turn automated backups on ` +
      '(database.backupRetentionDays, 1 to 35) or take a snapshot (aws rds create-db-snapshot).',
  };
}

function newestSnapshot(
  instanceId: string | undefined,
  snapshots: readonly DBSnapshot[],
): Extract<RestorePoint, { kind: 'snapshot' }> | undefined {
  let newest: Extract<RestorePoint, { kind: 'snapshot' }> | undefined;
  for (const snapshot of snapshots) {
    // A copy's SnapshotCreateTime is when it was copied; its data is as old as the original.
    const time = snapshot.OriginalSnapshotCreateTime ?? snapshot.SnapshotCreateTime;
    if (
      snapshot.Status !== 'available' ||
      snapshot.DBSnapshotIdentifier === undefined ||
      time === undefined ||
      (instanceId !== undefined && snapshot.DBInstanceIdentifier !== instanceId)
    ) {
      continue;
    }
    if (newest === undefined || time.getTime() > newest.time.getTime()) {
      newest = {
        kind: 'snapshot',
        snapshotId: snapshot.DBSnapshotIdentifier,
        snapshotType: snapshot.SnapshotType ?? 'unknown',
        time,
        engineVersion: snapshot.EngineVersion,
      };
    }
  }
  return newest;
}

/** Everything the drill creates, decided before it creates anything. */
export interface DrillPlan {
  readonly environment: string;
  readonly region: string;
  readonly sourceInstanceId: string;
  readonly point: RestorePoint;
  /** Age of the point when the drill started: the data a recovery now would lose, the measured RPO. */
  readonly pointAgeSeconds: number;
  readonly targetInstanceId: string;
  readonly instanceClass: string;
  readonly subnetGroupName: string;
  readonly vpcId?: string;
  /** Undefined only in a dry run without `--isolated-security-group`. */
  readonly securityGroupId?: string;
  /** The source's parameter group, when it fits the restored engine version. */
  readonly parameterGroupName?: string;
  readonly tags: readonly Tag[];
  /** Value of the {@link RUN_TAG_KEY} tag. */
  readonly runId: string;
}

/** What {@link planDrill} needs besides the source instance and the point. */
export interface PlanInputs {
  readonly environment: string;
  readonly region: string;
  /** `resourcePrefixOf(config)`. */
  readonly prefix: string;
  /** The environment's cost-allocation tags, copied onto the instance. */
  readonly tags: Readonly<Record<string, string>>;
  readonly instanceClass: string;
  readonly securityGroupId?: string;
  readonly runId: string;
  readonly startedAt: Date;
}

/**
 * Plans the drill from the source instance and the chosen point.
 *
 * @returns the plan, or why the source cannot be restored in isolation
 */
export function planDrill(
  source: DBInstance,
  point: RestorePoint,
  inputs: PlanInputs,
): { readonly plan: DrillPlan } | { readonly problem: string } {
  const sourceId = source.DBInstanceIdentifier ?? '(unknown)';
  const subnetGroupName = source.DBSubnetGroup?.DBSubnetGroupName;
  if (subnetGroupName === undefined) {
    // Without it RDS would restore into the default VPC, next to whatever else lives there.
    return { problem: `${sourceId} has no DB subnet group: the drill restores only into the database's own VPC` };
  }
  const parameterGroup = source.DBParameterGroups?.[0]?.DBParameterGroupName;
  // After a major upgrade the source's group belongs to another engine family than an older snapshot.
  const fits = point.kind === 'pitr' || majorOf(point.engineVersion) === majorOf(source.EngineVersion);
  return {
    plan: {
      environment: inputs.environment,
      region: inputs.region,
      sourceInstanceId: sourceId,
      point,
      pointAgeSeconds: Math.max(0, Math.round((inputs.startedAt.getTime() - point.time.getTime()) / 1000)),
      targetInstanceId: drillInstanceIdentifier(inputs.prefix, inputs.startedAt),
      instanceClass: inputs.instanceClass,
      subnetGroupName,
      vpcId: source.DBSubnetGroup?.VpcId,
      securityGroupId: inputs.securityGroupId,
      parameterGroupName: parameterGroup !== undefined && fits ? parameterGroup : undefined,
      tags: [
        ...Object.entries(inputs.tags).map(([Key, Value]) => ({ Key, Value })),
        { ...PURPOSE_TAG },
        { Key: RUN_TAG_KEY, Value: inputs.runId },
        { Key: 'restore-drill-source', Value: sourceId },
      ],
      runId: inputs.runId,
    },
  };
}

function majorOf(version: string | undefined): string | undefined {
  return version?.split('.')[0];
}

/** The restore request of a plan: the right API for the point, isolated, disposable and as small as allowed. */
export type RestoreRequest =
  | { readonly kind: 'pitr'; readonly input: RestoreDBInstanceToPointInTimeCommandInput }
  | { readonly kind: 'snapshot'; readonly input: RestoreDBInstanceFromDBSnapshotCommandInput };

export function restoreRequest(plan: DrillPlan): RestoreRequest {
  if (plan.securityGroupId === undefined) {
    throw new Error('a restore needs the isolated security group; only a dry run plans without one');
  }
  const common = {
    DBInstanceClass: plan.instanceClass,
    DBSubnetGroupName: plan.subnetGroupName,
    // The only group: no ingress, so the copy of production data is unreachable even inside the VPC.
    VpcSecurityGroupIds: [plan.securityGroupId],
    PubliclyAccessible: false,
    MultiAZ: false,
    DeletionProtection: false,
    // No automated backups of a copy that lives minutes: no initial backup to wait for, none left behind.
    BackupRetentionPeriod: 0,
    AutoMinorVersionUpgrade: false,
    CopyTagsToSnapshot: false,
    DBParameterGroupName: plan.parameterGroupName,
    Tags: plan.tags.map((tag) => ({ ...tag })),
  };
  if (plan.point.kind === 'pitr') {
    return {
      kind: 'pitr',
      input: {
        SourceDBInstanceIdentifier: plan.sourceInstanceId,
        TargetDBInstanceIdentifier: plan.targetInstanceId,
        // The time read at the start, rather than UseLatestRestorableTime, so the reported point is the restored one.
        RestoreTime: plan.point.time,
        ...common,
      },
    };
  }
  return {
    kind: 'snapshot',
    input: {
      DBSnapshotIdentifier: plan.point.snapshotId,
      DBInstanceIdentifier: plan.targetInstanceId,
      ...common,
    },
  };
}

/** The plan as lines for the terminal. */
export function formatPlan(plan: DrillPlan): string[] {
  const point =
    plan.point.kind === 'pitr'
      ? `point-in-time restore to ${plan.point.time.toISOString()} (the latest restorable time)`
      : `${plan.point.snapshotType} snapshot ${plan.point.snapshotId} of ${plan.point.time.toISOString()}`;
  return [
    `  source          ${plan.sourceInstanceId} (${plan.region})`,
    `  point           ${point}, ${formatSeconds(plan.pointAgeSeconds)} old`,
    `  target          ${plan.targetInstanceId}`,
    `  class           ${plan.instanceClass}, single-AZ, not public, no backups, no deletion protection`,
    `  subnet group    ${plan.subnetGroupName}${plan.vpcId !== undefined ? ` (${plan.vpcId})` : ''}`,
    `  security group  ${plan.securityGroupId ?? '(none given: --isolated-security-group is required to run)'}`,
    `  parameter group ${plan.parameterGroupName ?? "(the engine's default)"}`,
    `  tags            ${plan.tags.map((tag) => `${tag.Key}=${tag.Value}`).join(', ')}`,
  ];
}

/** Wait before status check `attempt` (0 first): `--poll`, growing by half each time up to a minute. */
export function pollDelaySeconds(attempt: number, pollSeconds: number): number {
  return Math.min(pollSeconds * 1.5 ** attempt, Math.max(pollSeconds, MAX_POLL_SECONDS));
}

/**
 * Statuses a restore does not recover from: waiting for `available` is pointless.
 * (`stopped`, `storage-full` and the like are not reached by a fresh restore without a cause that also needs a human.)
 */
const FAILED_STATUSES = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'restore-error',
  'storage-full',
  'deleting',
]);

/** Whether an instance in `status` will never become available by itself. */
export function isFailedStatus(status: string | undefined): boolean {
  return status !== undefined && FAILED_STATUSES.has(status);
}

/** A target measured: met when the measurement is within it; null when nothing was measured. */
export interface TargetResult {
  readonly targetSeconds: number;
  readonly measuredSeconds: number | null;
  readonly met: boolean | null;
}

/**
 * The RTO against the restore time (null when the restore never became available: missed) and
 * the RPO against the point's age.
 */
export function evaluateTargets(
  restoreSeconds: number | null,
  pointAgeSeconds: number | null,
): { readonly rto: TargetResult; readonly rpo: TargetResult } {
  const result = (targetSeconds: number, measured: number | null, missedWhenNull: boolean): TargetResult => ({
    targetSeconds,
    measuredSeconds: measured,
    met: measured === null ? (missedWhenNull ? false : null) : measured <= targetSeconds,
  });
  return {
    rto: result(RTO_SECONDS, restoreSeconds, true),
    rpo: result(RPO_SECONDS, pointAgeSeconds, false),
  };
}

/** How a drill ended. */
export type Outcome = 'passed' | 'targets-missed' | 'timed-out' | 'failed' | 'interrupted' | 'planned';

/** What became of the instance the drill created. */
export interface CleanupResult {
  /** Whether RDS accepted the deletion of the drill's instance (it then finishes deleting in the background). */
  readonly deleted: boolean;
  readonly status: 'nothing-created' | 'deletion-accepted' | 'not-deleted' | 'dry-run';
  readonly detail: string;
}

/** The machine-readable report (`--json`). */
export interface DrillReport {
  readonly env: string;
  readonly region: string;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly source: { readonly instance: string };
  readonly point: {
    readonly kind: 'pitr' | 'snapshot';
    readonly id: string | null;
    readonly time: string;
    readonly ageSeconds: number;
  } | null;
  readonly target: {
    readonly instance: string;
    readonly instanceClass: string;
    readonly subnetGroup: string;
    readonly securityGroup: string | null;
  } | null;
  readonly timings: { readonly restoreSeconds: number | null; readonly totalSeconds: number };
  readonly rto: TargetResult;
  readonly rpo: TargetResult;
  readonly cleanup: CleanupResult;
  readonly outcome: Outcome;
  readonly problems: readonly string[];
}

/** 0 for a passed drill (or a dry run's plan) whose instance is gone, 1 for anything else. */
export function exitCodeOf(report: Pick<DrillReport, 'outcome' | 'cleanup'>): number {
  const cleanedUp = report.cleanup.status !== 'not-deleted';
  return (report.outcome === 'passed' || report.outcome === 'planned') && cleanedUp ? 0 : 1;
}

/** The outcome of a drill whose instance became available: passed only when both targets are met. */
export function outcomeOfRestored(targets: ReturnType<typeof evaluateTargets>): Outcome {
  return targets.rto.met === true && targets.rpo.met === true ? 'passed' : 'targets-missed';
}

/** The report as lines for the terminal. */
export function formatReport(report: DrillReport): string[] {
  const target = (name: string, result: TargetResult) =>
    `${name} ${formatSeconds(result.targetSeconds)}: ${result.met === null ? 'not measured' : result.met ? 'met' : 'MISSED'}`;
  const lines = [`Restore drill of ${report.env}: ${report.outcome.toUpperCase()}`];
  if (report.point !== null) {
    const what = report.point.kind === 'pitr' ? `point-in-time ${report.point.time}` : `snapshot ${report.point.id}`;
    lines.push(`  point    ${what}, ${formatSeconds(report.point.ageSeconds)} old (${target('RPO', report.rpo)})`);
  }
  if (report.timings.restoreSeconds !== null) {
    lines.push(
      `  restore  available after ${formatSeconds(report.timings.restoreSeconds)} (${target('RTO', report.rto)})`,
    );
  } else if (report.target !== null && !report.dryRun) {
    lines.push(`  restore  never available (${target('RTO', report.rto)})`);
  }
  lines.push(`  cleanup  ${report.cleanup.detail}`);
  report.problems.forEach((problem) => lines.push(`  problem  ${problem}`));
  return lines;
}
