import { randomBytes } from 'node:crypto';
import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import { ENVIRONMENT_NAMES, resourcePrefixOf, type EnvironmentConfig } from '../../config';
import { databaseIdentifiersOf } from '../layers/data';
import {
  chooseRestorePoint,
  evaluateTargets,
  exitCodeOf,
  formatPlan,
  formatReport,
  formatSeconds,
  isFailedStatus,
  outcomeOfRestored,
  parseRestoreDrillArgs,
  planDrill,
  pollDelaySeconds,
  restoreRequest,
  RUN_TAG_KEY,
  USAGE,
  type CleanupResult,
  type DrillPlan,
  type DrillReport,
  type Outcome,
  type RestoreDrillOptions,
  type RestoreRequest,
} from './restore-drill';
import { processOutput, startCommand, type CommandOutput, type SignalSource } from './command-line';

/**
 * How long clean-up keeps retrying a deletion RDS refuses for the instance's state (a restore still
 * `creating`, `modifying`, `backing-up`) before it gives up and prints the command to finish by hand.
 */
const CLEANUP_RETRY_SECONDS = 30 * 60;

/** The signals that stop the drill; each one then deletes what the drill created before the process exits. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The RDS calls of the drill, so a test can stand in for RDS. */
export interface RdsApi {
  /** The instance, or undefined when there is none with that identifier. */
  describeInstance(id: string, abortSignal?: AbortSignal): Promise<DBInstance | undefined>;
  /** Every snapshot of the instance: automated, manual and AWS Backup ones. */
  describeSnapshots(instanceId: string, abortSignal?: AbortSignal): Promise<DBSnapshot[]>;
  restore(request: RestoreRequest): Promise<void>;
  /** Deletes without a final snapshot, with its automated backups. */
  deleteInstance(id: string): Promise<void>;
  disableDeletionProtection(id: string): Promise<void>;
  close(): void;
}

/** The drill's RDS calls on the AWS SDK. */
export function sdkRdsApi(region: string, endpoint: string | undefined): RdsApi {
  const client = new RDSClient({
    region,
    endpoint,
    // Bounded calls: a hung connection must not keep clean-up (or Ctrl-C) waiting forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
  return {
    async describeInstance(id, abortSignal) {
      try {
        const result = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), {
          abortSignal,
        });
        return result.DBInstances?.[0];
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async describeSnapshots(instanceId, abortSignal) {
      const snapshots: DBSnapshot[] = [];
      // Without a type RDS returns automated and manual snapshots; AWS Backup's must be asked for.
      for (const SnapshotType of [undefined, 'awsbackup']) {
        let Marker: string | undefined;
        do {
          const page = await client.send(
            new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instanceId, SnapshotType, Marker, MaxRecords: 100 }),
            { abortSignal },
          );
          snapshots.push(...(page.DBSnapshots ?? []));
          Marker = page.Marker;
        } while (Marker !== undefined);
      }
      return snapshots;
    },
    async restore(request) {
      // Never aborted: only the answer tells whether the instance exists.
      if (request.kind === 'pitr') await client.send(new RestoreDBInstanceToPointInTimeCommand(request.input));
      else await client.send(new RestoreDBInstanceFromDBSnapshotCommand(request.input));
    },
    async deleteInstance(id) {
      await client.send(
        new DeleteDBInstanceCommand({
          DBInstanceIdentifier: id,
          SkipFinalSnapshot: true,
          DeleteAutomatedBackups: true,
        }),
      );
    },
    async disableDeletionProtection(id) {
      await client.send(
        new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, DeletionProtection: false, ApplyImmediately: true }),
      );
    },
    close() {
      client.destroy();
    },
  };
}

/** What a test replaces. */
export interface DrillDependencies {
  /** @default the AWS SDK ({@link sdkRdsApi}) */
  readonly rds?: (region: string, endpoint: string | undefined) => RdsApi;
  /** @default process */
  readonly signals?: SignalSource;
  /** @default - 8 random hex digits */
  readonly runId?: string;
}

/**
 * The `restore-drill` command.
 *
 * @returns the exit code: 0 passed (or a dry run's plan), 1 failed or targets missed, 2 bad arguments
 */
export async function restoreDrill(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: CommandOutput = processOutput,
  dependencies: DrillDependencies = {},
): Promise<number> {
  const parsed = parseRestoreDrillArgs(argv, ENVIRONMENT_NAMES, env);
  const started = startCommand(parsed, USAGE, env, output);
  if ('exitCode' in started) return started.exitCode;
  const { options, config } = started;

  const region = options.region ?? config.region;
  const rds = (dependencies.rds ?? sdkRdsApi)(region, options.endpointUrl);
  // Human lines go to stdout, unless stdout is reserved for the JSON report.
  const log = options.json ? output.err : output.out;
  const interrupts = new Interrupts(dependencies.signals ?? process, (signal, count) => {
    output.err(
      count === 1
        ? `Received ${signal}: stopping the drill and deleting what it created.`
        : `Received ${signal} again: clean-up goes on (a deletion in flight is not abandoned; a wait for a retry is).`,
    );
  });
  try {
    const drill = new Drill(options, config, region, rds, interrupts, log, output.err, dependencies.runId);
    const report = await drill.run();
    if (options.json) output.out(JSON.stringify(report, null, 2));
    else formatReport(report).forEach((line) => output.out(line));
    return exitCodeOf(report);
  } finally {
    interrupts.dispose();
    rds.close();
  }
}

/** Stop signals received while the drill runs; its handlers replace the default of exiting at once. */
class Interrupts {
  /** Signals received so far. */
  public count = 0;
  public first: NodeJS.Signals | undefined;
  private readonly controller = new AbortController();
  private readonly wakers = new Set<() => void>();
  private readonly listener = (signal: NodeJS.Signals) => {
    this.count += 1;
    this.first ??= signal;
    this.controller.abort();
    this.onSignal(signal, this.count);
    this.wakers.forEach((wake) => wake());
  };

  constructor(
    private readonly source: SignalSource,
    private readonly onSignal: (signal: NodeJS.Signals, count: number) => void,
  ) {
    STOP_SIGNALS.forEach((signal) => source.on(signal, this.listener));
  }

  /** Aborted at the first signal: for read-only calls, which are safe to abandon. */
  get abortSignal(): AbortSignal {
    return this.controller.signal;
  }

  /** Waits `ms`; true at once when more than `seen` signals have arrived, or as soon as one does. */
  sleep(ms: number, seen: number): Promise<boolean> {
    if (this.count > seen) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        resolve(false);
      }, ms);
      this.wakers.add(wake);
    });
  }

  dispose(): void {
    STOP_SIGNALS.forEach((signal) => this.source.off(signal, this.listener));
  }
}

/** One run of the drill; {@link run} never throws: every failure ends in the report. */
class Drill {
  private readonly startedAt = new Date();
  private readonly sourceId: string;
  private readonly runId: string;
  private readonly problems: string[] = [];
  private plan: DrillPlan | undefined;
  /** Whether an instance of this run may exist: `maybe` once the restore is sent, until RDS answers. */
  private created: 'no' | 'maybe' | 'yes' = 'no';
  private restoreSeconds: number | null = null;

  constructor(
    private readonly options: RestoreDrillOptions,
    private readonly config: EnvironmentConfig,
    private readonly region: string,
    private readonly rds: RdsApi,
    private readonly interrupts: Interrupts,
    private readonly log: (line: string) => void,
    private readonly progress: (line: string) => void,
    runId: string | undefined,
  ) {
    this.sourceId = databaseIdentifiersOf(config).primary;
    this.runId = runId ?? randomBytes(4).toString('hex');
  }

  async run(): Promise<DrillReport> {
    let outcome: Outcome;
    try {
      outcome = await this.restoreAndWait();
    } catch (error) {
      if (this.interrupts.count > 0 && isAbort(error)) {
        outcome = 'interrupted';
      } else {
        this.problems.push(messageOf(error));
        outcome = 'failed';
      }
    }
    if (outcome === 'interrupted') this.problems.push(`interrupted by ${this.interrupts.first ?? 'a signal'}`);
    const cleanup = this.options.dryRun
      ? { deleted: false, status: 'dry-run' as const, detail: 'dry run: nothing was created' }
      : await this.cleanUp();
    return this.report(outcome, cleanup);
  }

  private async restoreAndWait(): Promise<Outcome> {
    const { options } = this;
    this.log(`Restore drill of ${options.env} (${this.region}): reading ${this.sourceId} and its snapshots`);
    const source = await this.rds.describeInstance(this.sourceId, this.interrupts.abortSignal);
    if (source === undefined) {
      this.problems.push(
        `no DB instance ${this.sourceId} in ${this.region}: is the Data stack deployed there? (--region for another region)`,
      );
      return 'failed';
    }
    const snapshots = await this.rds.describeSnapshots(this.sourceId, this.interrupts.abortSignal);
    const choice = chooseRestorePoint(source, snapshots, options.point);
    if ('problem' in choice) {
      this.problems.push(choice.problem);
      return 'failed';
    }
    const planned = planDrill(source, choice.point, {
      environment: options.env,
      region: this.region,
      prefix: resourcePrefixOf(this.config),
      tags: this.config.tags,
      instanceClass: options.instanceClass,
      securityGroupId: options.isolatedSecurityGroupId,
      runId: this.runId,
      startedAt: this.startedAt,
    });
    if ('problem' in planned) {
      this.problems.push(planned.problem);
      return 'failed';
    }
    const plan = planned.plan;
    this.plan = plan;
    this.log(options.dryRun ? 'Plan (dry run: nothing is created):' : 'Plan:');
    formatPlan(plan).forEach((line) => this.log(line));
    if (options.dryRun) return 'planned';
    if (this.interrupts.count > 0) return 'interrupted';

    const request = restoreRequest(plan);
    this.log(`Restoring ${plan.targetInstanceId} (${request.kind === 'pitr' ? 'point-in-time' : 'from snapshot'})`);
    const restoreStarted = Date.now();
    this.created = 'maybe';
    try {
      await this.rds.restore(request);
    } catch (error) {
      this.problems.push(`the restore was refused: ${messageOf(error)}`);
      return 'failed';
    }
    this.created = 'yes';

    const deadline = restoreStarted + options.timeoutSeconds * 1000;
    for (let attempt = 0; ; attempt += 1) {
      if (this.interrupts.count > 0) return 'interrupted';
      const instance = await this.rds.describeInstance(plan.targetInstanceId, this.interrupts.abortSignal);
      const elapsed = (Date.now() - restoreStarted) / 1000;
      const status = instance?.DBInstanceStatus;
      this.progress(
        `restore-drill: ${formatSeconds(elapsed)} elapsed, ${plan.targetInstanceId} is ${status ?? 'gone'}`,
      );
      if (status === 'available') {
        this.restoreSeconds = Math.round(elapsed);
        return outcomeOfRestored(evaluateTargets(this.restoreSeconds, plan.pointAgeSeconds));
      }
      if (instance === undefined || isFailedStatus(status)) {
        this.problems.push(
          `${plan.targetInstanceId} is ${status ?? 'gone'}: the restore failed; its events: aws rds describe-events ` +
            `--region ${this.region} --source-type db-instance --source-identifier ${plan.targetInstanceId}`,
        );
        return 'failed';
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        this.problems.push(
          `${plan.targetInstanceId} was not available after ${formatSeconds(options.timeoutSeconds)} (--timeout)`,
        );
        return 'timed-out';
      }
      const delay = Math.min(pollDelaySeconds(attempt, options.pollSeconds) * 1000, remaining);
      if (await this.interrupts.sleep(delay, 0)) return 'interrupted';
    }
  }

  /** Deletes the instance of this run, if there may be one; idempotent, and never deletes another's. */
  private async cleanUp(): Promise<CleanupResult> {
    const plan = this.plan;
    if (this.created === 'no' || plan === undefined) {
      return { deleted: false, status: 'nothing-created', detail: 'nothing was created' };
    }
    const id = plan.targetInstanceId;
    const byHand =
      `aws rds delete-db-instance --region ${this.region} --db-instance-identifier ${id} ` +
      '--skip-final-snapshot --delete-automated-backups';
    const notDeleted = (why: string): CleanupResult => ({
      deleted: false,
      status: 'not-deleted',
      detail: `${id} was NOT deleted (${why}); delete it with: ${byHand}`,
    });
    const seen = this.interrupts.count;
    const started = Date.now();

    if (this.created === 'maybe') {
      // The restore failed or its answer was lost: an instance with this name is ours only if it has our run tag
      // (a drill of the same environment started in the same minute has the same name).
      let instance: DBInstance | undefined;
      try {
        instance = await this.rds.describeInstance(id);
      } catch (error) {
        return notDeleted(`could not check whether the restore created it: ${messageOf(error)}`);
      }
      if (instance === undefined) {
        return { deleted: false, status: 'nothing-created', detail: 'the restore created no instance' };
      }
      const ours = instance.TagList?.some((tag) => tag.Key === RUN_TAG_KEY && tag.Value === this.runId) === true;
      if (!ours) {
        return {
          deleted: false,
          status: 'nothing-created',
          detail: `${id} exists but this run did not create it (its ${RUN_TAG_KEY} tag differs): left alone`,
        };
      }
    }

    this.progress(`Deleting ${id} (no final snapshot, automated backups deleted)`);
    let unprotected = false;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.rds.deleteInstance(id);
        return {
          deleted: true,
          status: 'deletion-accepted',
          detail:
            `${id}: deletion accepted; RDS finishes it in the background (minutes), not awaited: ` +
            `aws rds describe-db-instances --region ${this.region} --db-instance-identifier ${id}`,
        };
      } catch (error) {
        const message = messageOf(error);
        if (isNotFound(error)) {
          return { deleted: true, status: 'deletion-accepted', detail: `${id}: already gone` };
        }
        if (/already being deleted/i.test(message)) {
          return { deleted: true, status: 'deletion-accepted', detail: `${id}: already being deleted` };
        }
        if (!unprotected && /deletion protection/i.test(message)) {
          // Ours (by name and run, checked above): whatever turned protection on, the drill's copy must not stay.
          this.progress(`${id} has deletion protection on: turning it off to delete it`);
          unprotected = true;
          try {
            await this.rds.disableDeletionProtection(id);
          } catch (modifyError) {
            return notDeleted(`deletion protection is on and could not be turned off: ${messageOf(modifyError)}`);
          }
          continue;
        }
        const retryable = errorName(error) === 'InvalidDBInstanceStateFault' || /InvalidDBInstanceState/.test(message);
        if (retryable && Date.now() - started < CLEANUP_RETRY_SECONDS * 1000) {
          const delay = pollDelaySeconds(attempt, this.options.pollSeconds);
          this.progress(
            `${id} cannot be deleted yet (${message}); retrying in ${Math.round(delay)} s. ` +
              `Another Ctrl-C stops retrying and leaves it; then: ${byHand}`,
          );
          if (await this.interrupts.sleep(delay * 1000, seen)) return notDeleted('clean-up stopped by a signal');
          continue;
        }
        return notDeleted(message);
      }
    }
  }

  private report(outcome: Outcome, cleanup: CleanupResult): DrillReport {
    const plan = this.plan;
    const targets = evaluateTargets(outcome === 'planned' ? null : this.restoreSeconds, plan?.pointAgeSeconds ?? null);
    return {
      env: this.options.env,
      region: this.region,
      dryRun: this.options.dryRun,
      startedAt: this.startedAt.toISOString(),
      source: { instance: this.sourceId },
      point:
        plan === undefined
          ? null
          : {
              kind: plan.point.kind,
              id: plan.point.kind === 'snapshot' ? plan.point.snapshotId : null,
              time: plan.point.time.toISOString(),
              ageSeconds: plan.pointAgeSeconds,
            },
      target:
        plan === undefined
          ? null
          : {
              instance: plan.targetInstanceId,
              instanceClass: plan.instanceClass,
              subnetGroup: plan.subnetGroupName,
              securityGroup: plan.securityGroupId ?? null,
            },
      timings: {
        restoreSeconds: this.restoreSeconds,
        totalSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      },
      // A dry run measures nothing against the RTO.
      rto: outcome === 'planned' ? { ...targets.rto, met: null } : targets.rto,
      rpo: targets.rpo,
      cleanup,
      outcome,
      problems: [...this.problems],
    };
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message.includes(error.name) ? error.message : `${error.name}: ${error.message}`;
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'DBInstanceNotFoundFault' || name === 'DBInstanceNotFound';
}

function isAbort(error: unknown): boolean {
  return errorName(error) === 'AbortError';
}
