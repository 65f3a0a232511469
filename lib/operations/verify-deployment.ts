import type { DBInstance } from '@aws-sdk/client-rds';
import type { Deployment, Service, ServiceDeploymentBrief } from '@aws-sdk/client-ecs';
import type { EnvironmentConfig } from '../../config';
import { clusterNameOf } from '../layers/compute';
import { databaseIdentifiersOf } from '../layers/data';
import { standbyIdentifierOf } from '../layers/dr';
import { repositoryNameOf } from '../layers/registry';
import {
  endpointOption,
  environmentProblem,
  formatCheck,
  imageTagProblem,
  type CheckResult,
  type CheckStatus,
  type Parsed,
} from './preflight';
import { readOptions } from './command-line';
import { formatSeconds, parseDuration } from './restore-drill';

export { clusterNameOf, standbyIdentifierOf };

/** Wait between two polls unless `--poll`. */
const DEFAULT_POLL = '15s';

export const VERIFY_USAGE = `Usage: npm run verify-deployment -- --env <name> [options]

Checks that the environment's last deployment landed: the ECS service's latest deployment completed
(running equals desired, no failed tasks, the latest task definition revision, no rollback), and the
database primary and its read replicas are available with nothing pending. Reads only.

  --env <name>                   the environment (required)
  --wait <duration>              poll until every check passes, one fails, or this long has passed, e.g.
                                 90s, 15m, 1h (default: check once)
  --poll <duration>              wait between polls (default ${DEFAULT_POLL})
  --service <name>               the ECS service (default: the only service of the environment's cluster)
  --task-definition <family:rev> the revision the service must run, or its ARN (default: the latest active
                                 revision of the family the service runs)
  --image-tag <tag>              the tag the service's image must have (CI: the commit it deployed); not
                                 checked where the image is built from app/
  --endpoint-url <url>           endpoint of every AWS call, for tests (default: the SDK's, which honours
                                 AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>)
  --since <time>                 judge only service deployments created at or after this ISO 8601 time
                                 (CI passes the time its deploy started: an older, rolled-back deployment
                                 then does not fail a deploy that created none)
  --json                         print the report as JSON on stdout; everything else goes to stderr
  -h, --help                     print this help

Exit codes:
  0  the deployment is healthy
  1  a check failed, or was still in progress (after --wait, when given)
  2  bad arguments or configuration; nothing was called
  3  AWS could not be asked: no usable credentials, or no answer from the endpoint`;

/** The command's options, checked. */
export interface VerifyOptions {
  readonly env: string;
  /** 0: check once. */
  readonly waitSeconds: number;
  readonly pollSeconds: number;
  /** @default - the only service of the cluster */
  readonly service?: string;
  /** `family:revision`. @default - the latest active revision of the service's family */
  readonly taskDefinition?: string;
  /** @default - the image is not checked */
  readonly imageTag?: string;
  /** Only service deployments created since. @default - the newest, whenever it was created */
  readonly since?: Date;
  /** @default - the SDK's endpoint resolution */
  readonly endpointUrl?: string;
  readonly json: boolean;
}

/**
 * Parses and checks the command line; reports every problem at once, each with the value and the fix.
 *
 * @param environments the names `--env` accepts
 * @param env the process environment, for `AWS_ENDPOINT_URL`
 */
export function parseVerifyArgs(
  argv: readonly string[],
  environments: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Parsed<VerifyOptions> {
  const read = readOptions(argv, {
    env: { type: 'string' },
    wait: { type: 'string' },
    poll: { type: 'string' },
    service: { type: 'string' },
    'task-definition': { type: 'string' },
    'image-tag': { type: 'string' },
    since: { type: 'string' },
    'endpoint-url': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (read.kind !== 'values') return read;
  const { values } = read;

  const text = (name: string) => values[name] as string | undefined;
  const problems: string[] = [];
  const envName = text('env');
  const envProblem = environmentProblem(envName, environments);
  if (envProblem !== undefined) problems.push(envProblem);

  const duration = (name: string, fallback: string, minSeconds: number, maxSeconds: number): number => {
    const raw = text(name) ?? fallback;
    const seconds = parseDuration(raw);
    if (seconds === undefined) {
      problems.push(`--${name} ${raw}: not a duration: use whole numbers with units h, m, s, e.g. 90s, 15m, 1h`);
      return 0;
    }
    if (seconds < minSeconds || seconds > maxSeconds) {
      problems.push(
        `--${name} ${raw}: must be from ${formatSeconds(minSeconds)} to ${formatSeconds(maxSeconds)} (h:mm:ss)`,
      );
    }
    return seconds;
  };
  const waitSeconds = duration('wait', '0s', 0, 6 * 3600);
  const pollSeconds = duration('poll', DEFAULT_POLL, 1, 600);

  const service = text('service');
  if (
    service !== undefined &&
    !/^(arn:[\w-]+:ecs:[a-z0-9-]+:\d{12}:service\/[\w-]+\/)?[A-Za-z0-9_-]{1,255}$/.test(service)
  ) {
    problems.push(`--service ${service}: not an ECS service name (letters, digits, _ and -) or ARN`);
  }
  const rawTaskDefinition = text('task-definition');
  const taskDefinition = rawTaskDefinition === undefined ? undefined : revisionOf(rawTaskDefinition);
  if (rawTaskDefinition !== undefined && taskDefinition === undefined) {
    problems.push(
      `--task-definition ${rawTaskDefinition}: expected family:revision (e.g. ProdComputeWebTaskDefinition1234ABCD:42) or its ARN`,
    );
  }
  const imageTag = text('image-tag');
  const tagProblem = imageTagProblem(imageTag);
  if (tagProblem !== undefined) problems.push(tagProblem);
  const rawSince = text('since');
  const since = rawSince === undefined ? undefined : new Date(rawSince);
  if (rawSince !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(rawSince) || Number.isNaN(since?.getTime()))) {
    problems.push(`--since ${rawSince}: not an ISO 8601 time (e.g. 2026-12-07T06:30:00Z, as date -u +%FT%TZ prints)`);
  }
  const endpointUrl = endpointOption(text('endpoint-url'), env, problems);

  if (problems.length > 0) return { kind: 'problems', problems };
  return {
    kind: 'options',
    options: {
      env: envName as string,
      waitSeconds,
      pollSeconds,
      service,
      taskDefinition,
      imageTag,
      since,
      endpointUrl,
      json: values.json === true,
    },
  };
}

/** `family:revision` of a task definition ARN or of `family:revision`; undefined for anything else. */
export function revisionOf(taskDefinition: string): string | undefined {
  const match = /^(?:arn:[\w-]+:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?([A-Za-z0-9_-]{1,255}):([1-9]\d*)$/.exec(
    taskDefinition,
  );
  return match === null ? undefined : `${match[1]}:${match[2]}`;
}

/**
 * The environment's ECS cluster: the compute layer names it `web.name`, the resource prefix.
 */

/** A DB instance verify-deployment checks, where it lives, and the primary it must replicate. */
export interface DatabaseInstanceRef {
  readonly id: string;
  readonly region: string;
  /** What the check calls it: `primary`, `replica`, `standby`. */
  readonly role: string;
  /** For a replica: the primary's identifier. */
  readonly replicates?: string;
}

/**
 * The standby of the database in the disaster-recovery region: the DR layer names it
 * `<prefix>-standby`.
 */

/**
 * Every DB instance of the environment: the primary and its read replicas in the home region (the
 * data layer's names), and the standby in `drRegion` where `backup.standby` is set.
 */
export function databaseInstancesOf(config: EnvironmentConfig): DatabaseInstanceRef[] {
  const { primary, replicas } = databaseIdentifiersOf(config);
  return [
    { id: primary, region: config.region, role: 'primary' },
    ...replicas.map((id) => ({ id, region: config.region, role: 'replica', replicates: primary })),
    ...(config.backup.enabled && config.backup.standby !== undefined
      ? [{ id: standbyIdentifierOf(config), region: config.drRegion, role: 'standby', replicates: primary }]
      : []),
  ];
}

/** The ECS service as the checks need it: found, or why not. */
export type ServiceLookup =
  | { readonly kind: 'found'; readonly service: Service }
  | { readonly kind: 'missing'; readonly detail: string; readonly fix?: string };

/**
 * The service's deployments: the PRIMARY one completed, nothing else still running, every desired
 * task running, no failed task. A FAILED rollout anywhere (the circuit breaker or an alarm stopped
 * it) fails; a rollout still under way, or an older deployment still draining, is pending.
 */
export function checkService(lookup: ServiceLookup, cluster: string): CheckResult {
  if (lookup.kind === 'missing') {
    return { check: 'service', target: cluster, status: 'fail', detail: lookup.detail, fix: lookup.fix };
  }
  const { service } = lookup;
  const target = `${cluster}/${service.serviceName ?? '?'}`;
  const result = (status: CheckStatus, detail: string, fix?: string): CheckResult => ({
    check: 'service',
    target,
    status,
    detail,
    fix,
  });
  if (service.status !== 'ACTIVE') return result('fail', `the service is ${service.status ?? 'in no status'}`);
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    return result(
      'fail',
      `deployments are controlled by ${controller}; this command checks ECS-controlled deployments`,
    );
  }
  const deployments = service.deployments ?? [];
  const failed = deployments.find((deployment) => deployment.rolloutState === 'FAILED');
  if (failed !== undefined) {
    return result(
      'fail',
      `deployment ${failed.id ?? '?'} (${revisionOf(failed.taskDefinition ?? '') ?? failed.taskDefinition}) FAILED: ${failed.rolloutStateReason ?? 'no reason given'}`,
      'see the service events (aws ecs describe-services ... --query "services[0].events[:10]") and the stopped tasks',
    );
  }
  const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (primary === undefined) return result('fail', 'the service has no PRIMARY deployment');
  const counts = countsOf(primary);
  if (primary.rolloutState === 'IN_PROGRESS') {
    return result('pending', `deployment ${primary.id ?? '?'} IN_PROGRESS: ${counts}`);
  }
  const draining = deployments.filter((deployment) => deployment !== primary);
  if (draining.length > 0) {
    return result(
      'pending',
      `deployment ${primary.id ?? '?'} ${primary.rolloutState ?? 'without rollout state'}, ${draining.length} older deployment${draining.length > 1 ? 's' : ''} still draining: ${counts}`,
    );
  }
  if ((primary.failedTasks ?? 0) > 0) {
    return result(
      'fail',
      `deployment ${primary.id ?? '?'} completed, but ${primary.failedTasks} task${primary.failedTasks === 1 ? '' : 's'} failed to start or stay healthy: ${counts}`,
      'see the stopped tasks: aws ecs list-tasks --desired-status STOPPED ..., then describe-tasks for stoppedReason',
    );
  }
  if (primary.runningCount !== primary.desiredCount || service.runningCount !== service.desiredCount) {
    return result('pending', `deployment ${primary.id ?? '?'} ${primary.rolloutState ?? 'done'}, but ${counts}`);
  }
  return result('pass', `deployment ${primary.id ?? '?'} ${primary.rolloutState ?? 'done'}: ${counts}`);
}

function countsOf(deployment: Deployment): string {
  return (
    `${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0} running, ` +
    `${deployment.pendingCount ?? 0} pending, ${deployment.failedTasks ?? 0} failed tasks`
  );
}

/** Whether a deployment of the service is still under way (a stale revision may yet be replaced). */
function inProgress(service: Service): boolean {
  return (service.deployments ?? []).some(
    (deployment) => deployment.rolloutState === 'IN_PROGRESS' || deployment.status !== 'PRIMARY',
  );
}

/** The service's PRIMARY deployment's task definition, as `family:revision`. */
export function primaryRevisionOf(service: Service): string | undefined {
  const primary = (service.deployments ?? []).find((deployment) => deployment.status === 'PRIMARY');
  return revisionOf(primary?.taskDefinition ?? service.taskDefinition ?? '');
}

/**
 * The service runs the right revision: `--task-definition`, else the family's latest active one
 * (the one the last deploy registered; after a rollback the service runs an older one).
 */
export function checkTaskDefinition(
  service: Service,
  expected: { readonly revision: string | undefined; readonly source: 'option' | 'latest' },
): CheckResult {
  const running = primaryRevisionOf(service);
  const target = running ?? service.serviceName ?? '?';
  if (running === undefined) {
    return { check: 'task definition', target, status: 'fail', detail: 'the service names no task definition' };
  }
  const what = expected.source === 'option' ? '--task-definition' : 'the latest active revision of the family';
  if (expected.revision === undefined) {
    return {
      check: 'task definition',
      target,
      status: 'fail',
      detail: 'the family has no active revision: the one the service runs was deregistered',
    };
  }
  if (running === expected.revision) {
    return { check: 'task definition', target, status: 'pass', detail: `${what}` };
  }
  return {
    check: 'task definition',
    target,
    status: inProgress(service) ? 'pending' : 'fail',
    detail: `the service runs ${running}, but ${what} is ${expected.revision}${
      inProgress(service) ? '' : ': the deployment of it was rolled back, or never started'
    }`,
  };
}

/** Statuses of a service deployment (ListServiceDeployments) that end well, are under way, or ended badly. */
const SERVICE_DEPLOYMENT_UNDER_WAY = new Set(['PENDING', 'IN_PROGRESS']);

/**
 * The latest service deployment: what native blue/green, canary and linear deployments report
 * beyond the service's deployments, and what remains of a deployment after ECS rolled it back
 * (the service then runs the old revision, COMPLETED, as if nothing happened).
 */
export function checkServiceDeployment(
  deployments: readonly ServiceDeploymentBrief[],
  cluster: string,
  service: string,
  since?: Date,
): CheckResult {
  const target = `${cluster}/${service}`;
  const createdAt = (d: ServiceDeploymentBrief) => d.createdAt?.getTime() ?? d.startedAt?.getTime() ?? 0;
  const recent = since === undefined ? deployments : deployments.filter((d) => createdAt(d) >= since.getTime());
  const newest = [...recent].sort(
    (a, b) =>
      (b.createdAt?.getTime() ?? b.startedAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? a.startedAt?.getTime() ?? 0),
  )[0];
  if (newest === undefined) {
    const detail = since === undefined ? 'none recorded' : `none since ${since.toISOString()}`;
    return { check: 'service deployment', target, status: 'skip', detail };
  }
  const id = (newest.serviceDeploymentArn ?? '').split('/').pop() ?? '?';
  const status = newest.status ?? 'UNKNOWN';
  const reason = newest.statusReason === undefined ? '' : `: ${newest.statusReason}`;
  if (status === 'SUCCESSFUL') {
    const finished = newest.finishedAt === undefined ? '' : ` at ${newest.finishedAt.toISOString()}`;
    return { check: 'service deployment', target, status: 'pass', detail: `${id} SUCCESSFUL${finished}` };
  }
  if (SERVICE_DEPLOYMENT_UNDER_WAY.has(status)) {
    return { check: 'service deployment', target, status: 'pending', detail: `${id} ${status}${reason}` };
  }
  // STOPPED, STOP_REQUESTED, ROLLBACK_*: the deployment will not complete; a rollback restores the old revision.
  return {
    check: 'service deployment',
    target,
    status: 'fail',
    detail: `${id} ${status}${reason}`,
    fix: `aws ecs describe-service-deployments --cluster ${cluster} --service-deployment-arns ${newest.serviceDeploymentArn ?? '<arn>'}`,
  };
}

/** The container images a task definition runs. */
export interface ImagesLookup {
  readonly revision: string;
  readonly images: readonly string[];
}

/** A container of the service runs `<repository>:<tag>`. */
export function checkImage(
  config: EnvironmentConfig,
  tag: string | undefined,
  found: ImagesLookup | undefined,
): CheckResult {
  const repository = repositoryNameOf(config);
  if (config.compute.image.source === 'asset') {
    return { check: 'image', target: repository, status: 'skip', detail: 'skipped (image built from app/ at deploy)' };
  }
  if (tag === undefined) {
    return { check: 'image', target: repository, status: 'skip', detail: 'not checked (no --image-tag)' };
  }
  const target = `${repository}:${tag}`;
  if (found === undefined) {
    return { check: 'image', target, status: 'skip', detail: 'not checked: the service runs no task definition' };
  }
  if (found.images.some((image) => image.endsWith(`/${repository}:${tag}`))) {
    return { check: 'image', target, status: 'pass', detail: `run by ${found.revision}` };
  }
  return {
    check: 'image',
    target,
    status: 'fail',
    detail: `${found.revision} runs ${found.images.join(', ') || 'no image'}`,
  };
}

/**
 * States a DB instance does not leave by itself (stopped, failed, out of storage, unreadable key):
 * waiting for `available` is pointless.
 */
const DB_FAILED_STATUSES = new Set([
  'failed',
  'stopped',
  'stopping',
  'storage-full',
  'deleting',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-credentials',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'restore-error',
  'insufficient-capacity',
]);

/**
 * Serving as usual while RDS works in the background: a storage change is followed by hours of
 * optimization, during which the instance is fully usable; waiting for it would time out every
 * deploy that grew the storage.
 */
const DB_SERVING_STATUSES = new Set(['available', 'storage-optimization']);

/** Names and values of the modifications RDS holds for later; empty when there are none. */
export function pendingModificationsOf(instance: DBInstance): string[] {
  return Object.entries(instance.PendingModifiedValues ?? {}).flatMap(([key, value]) => {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.length === 0) return [];
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return [];
    return [`${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`];
  });
}

/** A DB instance of the environment: available, nothing pending, and a replica of the primary where it is one. */
export function checkDatabase(ref: DatabaseInstanceRef, instance: DBInstance | undefined): CheckResult {
  const { id, region, role, replicates } = ref;
  // The standby lives in the DR region; everything else in the home region the report names.
  const target = role === 'standby' ? `${id} (${region})` : id;
  if (instance === undefined) {
    return {
      check: 'database',
      target,
      status: 'fail',
      detail: `no ${role} instance in ${region}`,
      fix:
        role === 'standby'
          ? 'is the Standby stack deployed? (backup.standby)'
          : 'is the Data stack deployed? (database.readReplicas sets how many replicas there are)',
    };
  }
  const status = instance.DBInstanceStatus ?? 'unknown';
  if (replicates !== undefined) {
    // A replica in another region names its source by ARN.
    const source = instance.ReadReplicaSourceDBInstanceIdentifier;
    if (source !== replicates && !(source ?? '').endsWith(`:db:${replicates}`)) {
      return {
        check: 'database',
        target,
        status: 'fail',
        detail: `not a read replica of ${replicates} (source: ${source ?? 'none: a standalone instance'})`,
      };
    }
  }
  if (DB_FAILED_STATUSES.has(status)) {
    return {
      check: 'database',
      target,
      status: 'fail',
      detail: `${role} is ${status}`,
      fix: `its events: aws rds describe-events --region ${region} --source-type db-instance --source-identifier ${id}`,
    };
  }
  const pending = pendingModificationsOf(instance);
  if (!DB_SERVING_STATUSES.has(status)) {
    return { check: 'database', target, status: 'pending', detail: `${role} is ${status}` };
  }
  if (pending.length > 0) {
    return {
      check: 'database',
      target,
      status: 'pending',
      detail: `${role} is ${status} with pending modifications ${pending.join(', ')}`,
      fix: 'RDS applies them at the next maintenance window unless applied immediately',
    };
  }
  const replica = replicates === undefined ? '' : `, replicating ${replicates}`;
  return { check: 'database', target, status: 'pass', detail: `${role} ${status}, nothing pending${replica}` };
}

/** How a verification ended. */
export type VerifyOutcome = 'healthy' | 'unhealthy' | 'in-progress' | 'aws-unavailable';

/** The machine-readable report (`--json`). */
export interface VerifyReport {
  readonly env: string;
  readonly region: string;
  readonly cluster: string;
  readonly service: string | null;
  readonly startedAt: string;
  /** How long the command polled. */
  readonly elapsedSeconds: number;
  readonly polls: number;
  /** The checks of the last poll. */
  readonly checks: readonly CheckResult[];
  readonly outcome: VerifyOutcome;
  /** Why AWS could not be asked (outcome `aws-unavailable`), or that the wait timed out. */
  readonly problem: string | null;
}

/** Healthy when every check passed or does not apply; unhealthy at the first failure; otherwise still under way. */
export function outcomeOf(checks: readonly CheckResult[]): Exclude<VerifyOutcome, 'aws-unavailable'> {
  if (checks.some((check) => check.status === 'fail')) return 'unhealthy';
  if (checks.some((check) => check.status === 'pending')) return 'in-progress';
  return 'healthy';
}

/** 0 healthy; 1 unhealthy or still in progress; 3 AWS could not be asked. */
export function verifyExitCode(report: Pick<VerifyReport, 'outcome'>): number {
  return report.outcome === 'healthy' ? 0 : report.outcome === 'aws-unavailable' ? 3 : 1;
}

/** One progress line for stderr: the elapsed time and what is still pending or failed. */
export function progressLine(elapsedSeconds: number, poll: number, checks: readonly CheckResult[]): string {
  const open = checks.filter((check) => check.status === 'pending' || check.status === 'fail');
  const what =
    open.length === 0
      ? 'every check passed'
      : open.map((check) => `${check.target}: ${check.status === 'fail' ? 'FAILED ' : ''}${check.detail}`).join('; ');
  return `verify-deployment: ${formatSeconds(elapsedSeconds)} elapsed, poll ${poll}: ${what}`;
}

/** The report as lines for the terminal. */
export function formatVerifyReport(report: VerifyReport): string[] {
  const title = {
    healthy: 'HEALTHY',
    unhealthy: 'UNHEALTHY',
    'in-progress': 'IN PROGRESS',
    'aws-unavailable': 'AWS UNAVAILABLE',
  }[report.outcome];
  const polled = report.polls > 1 ? `, after ${report.polls} polls in ${formatSeconds(report.elapsedSeconds)}` : '';
  return [
    `Deployment of ${report.env} (${report.region}): ${title}${polled}`,
    ...report.checks.flatMap(formatCheck),
    ...(report.problem === null ? [] : [`  problem: ${report.problem}`]),
  ];
}
