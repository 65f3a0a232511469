import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  type Service,
  type ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { DescribeDBInstancesCommand, RDSClient, type DBInstance } from '@aws-sdk/client-rds';
import { ENVIRONMENT_NAMES, type EnvironmentConfig } from '../../config';
import { awsCall, AwsUnavailableError, errorName, guardedCheck, messageOf, type CheckResult } from './preflight';
import { processOutput, startCommand, type CommandOutput } from './command-line';
import { formatSeconds } from './restore-drill';
import {
  checkDatabase,
  checkImage,
  checkService,
  checkServiceDeployment,
  checkTaskDefinition,
  clusterNameOf,
  databaseInstancesOf,
  formatVerifyReport,
  outcomeOf,
  parseVerifyArgs,
  primaryRevisionOf,
  progressLine,
  revisionOf,
  VERIFY_USAGE,
  verifyExitCode,
  type ImagesLookup,
  type ServiceLookup,
  type VerifyOptions,
  type VerifyReport,
} from './verify-deployment';

/** Pages of service deployments read at most: ECS keeps 90 days of them, 100 a page. */
const MAX_SERVICE_DEPLOYMENT_PAGES = 10;

/** The ECS and RDS calls of verify-deployment. */
export interface VerifyAws {
  /** Names of the cluster's services; undefined when there is no such cluster. */
  serviceNames(cluster: string): Promise<string[] | undefined>;
  /** The service; undefined when ECS reports it missing. */
  service(cluster: string, name: string): Promise<Service | undefined>;
  /** Active revisions of exactly this family, as `family:revision`. */
  activeRevisions(family: string): Promise<string[]>;
  /** The images of a task definition's containers. */
  images(taskDefinition: string): Promise<string[]>;
  /** The service's service deployments, in no particular order. */
  serviceDeployments(cluster: string, service: string): Promise<ServiceDeploymentBrief[]>;
  /** The instance in `region`; undefined when there is none with that identifier. */
  dbInstance(id: string, region: string): Promise<DBInstance | undefined>;
  close(): void;
}

/** The calls on the AWS SDK, in the environment's region; the endpoint as in preflight. */
export function sdkVerifyAws(region: string, endpoint: string | undefined): VerifyAws {
  const common = { region, endpoint, requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 } };
  const ecs = new ECSClient(common);
  // The standby is in the DR region: one RDS client per region asked.
  const rds = new Map<string, RDSClient>();
  const rdsIn = (where: string) => {
    let client = rds.get(where);
    if (client === undefined) {
      client = new RDSClient({ ...common, region: where });
      rds.set(where, client);
    }
    return client;
  };
  return {
    async serviceNames(cluster) {
      const names: string[] = [];
      let nextToken: string | undefined;
      try {
        do {
          const page = await awsCall('ecs:ListServices', () =>
            ecs.send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 })),
          );
          names.push(...(page.serviceArns ?? []).map((arn) => arn.split('/').pop() ?? arn));
          nextToken = page.nextToken;
        } while (nextToken !== undefined);
      } catch (error) {
        if (errorName(error) === 'ClusterNotFoundException') return undefined;
        throw error;
      }
      return names;
    },
    async service(cluster, name) {
      const result = await awsCall('ecs:DescribeServices', () =>
        ecs.send(new DescribeServicesCommand({ cluster, services: [name] })),
      );
      return result.services?.[0];
    },
    async activeRevisions(family) {
      const revisions: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await awsCall('ecs:ListTaskDefinitions', () =>
          ecs.send(
            new ListTaskDefinitionsCommand({
              familyPrefix: family,
              status: 'ACTIVE',
              sort: 'DESC',
              nextToken,
              maxResults: 100,
            }),
          ),
        );
        revisions.push(...(page.taskDefinitionArns ?? []).flatMap((arn) => revisionOf(arn) ?? []));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      // familyPrefix is a prefix: `Web` also lists `WebWorker`.
      return revisions.filter((revision) => revision.slice(0, revision.lastIndexOf(':')) === family);
    },
    async images(taskDefinition) {
      const result = await awsCall('ecs:DescribeTaskDefinition', () =>
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
      );
      return (result.taskDefinition?.containerDefinitions ?? []).flatMap((container) => container.image ?? []);
    },
    async serviceDeployments(cluster, service) {
      const deployments: ServiceDeploymentBrief[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await awsCall('ecs:ListServiceDeployments', () =>
          ecs.send(new ListServiceDeploymentsCommand({ cluster, service, nextToken, maxResults: 100 })),
        );
        deployments.push(...(page.serviceDeployments ?? []));
        nextToken = page.nextToken;
        pages += 1;
      } while (nextToken !== undefined && pages < MAX_SERVICE_DEPLOYMENT_PAGES);
      return deployments;
    },
    async dbInstance(id, where) {
      try {
        const result = await awsCall(`rds:DescribeDBInstances (${where})`, () =>
          rdsIn(where).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
        );
        return result.DBInstances?.[0];
      } catch (error) {
        if (errorName(error) === 'DBInstanceNotFoundFault' || errorName(error) === 'DBInstanceNotFound')
          return undefined;
        throw error;
      }
    },
    close() {
      ecs.destroy();
      rds.forEach((client) => client.destroy());
    },
  };
}

/** What a test may replace. */
export interface VerifyDependencies {
  /** @default the AWS SDK ({@link sdkVerifyAws}) */
  readonly aws?: (region: string, endpoint: string | undefined) => VerifyAws;
}

/**
 * The `verify-deployment` command.
 *
 * @returns the exit code: 0 healthy, 1 unhealthy or still in progress, 2 bad arguments or configuration,
 *   3 AWS unavailable
 */
export async function verifyDeployment(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: CommandOutput = processOutput,
  dependencies: VerifyDependencies = {},
): Promise<number> {
  const parsed = parseVerifyArgs(argv, ENVIRONMENT_NAMES, env);
  const start = startCommand(parsed, VERIFY_USAGE, env, output);
  if ('exitCode' in start) return start.exitCode;
  const { options, config } = start;

  const aws = (dependencies.aws ?? sdkVerifyAws)(config.region, options.endpointUrl);
  const started = Date.now();
  const deadline = started + options.waitSeconds * 1000;
  const cluster = clusterNameOf(config);
  let polls = 0;
  let last: Poll = { checks: [], service: null };
  let problem: string | null = null;
  let outcome: VerifyReport['outcome'];
  try {
    for (;;) {
      polls += 1;
      last = await poll(config, options, aws);
      outcome = outcomeOf(last.checks);
      const elapsed = (Date.now() - started) / 1000;
      if (options.waitSeconds > 0) output.err(progressLine(elapsed, polls, last.checks));
      if (outcome !== 'in-progress') break;
      const remaining = deadline - Date.now();
      if (options.waitSeconds === 0) {
        problem = 'not finished: run with --wait <duration> (e.g. --wait 15m) to wait for it';
        break;
      }
      if (remaining <= 0) {
        problem = `still in progress after ${formatSeconds(options.waitSeconds)} (--wait)`;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollSeconds * 1000, remaining)));
    }
  } catch (error) {
    if (!(error instanceof AwsUnavailableError)) throw error;
    problem = error.message;
    outcome = 'aws-unavailable';
  } finally {
    aws.close();
  }

  const report: VerifyReport = {
    env: options.env,
    region: config.region,
    cluster,
    service: last.service,
    startedAt: new Date(started).toISOString(),
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    polls,
    checks: last.checks,
    outcome,
    problem,
  };
  if (options.json) output.out(JSON.stringify(report, null, 2));
  else formatVerifyReport(report).forEach((line) => output.out(line));
  return verifyExitCode(report);
}

interface Poll {
  readonly checks: CheckResult[];
  readonly service: string | null;
}

/** One round of every check. */
async function poll(config: EnvironmentConfig, options: VerifyOptions, aws: VerifyAws): Promise<Poll> {
  const cluster = clusterNameOf(config);
  const checks: CheckResult[] = [];
  const lookup = await guardedLookup(() => findService(aws, cluster, options.service));
  checks.push(checkService(lookup, cluster));
  let serviceName: string | null = null;
  if (lookup.kind === 'found') {
    const service = lookup.service;
    serviceName = service.serviceName ?? null;
    const running = primaryRevisionOf(service);
    checks.push(
      await guardedCheck('task definition', running ?? cluster, async () => {
        if (options.taskDefinition !== undefined) {
          return checkTaskDefinition(service, { revision: options.taskDefinition, source: 'option' });
        }
        const family = running?.slice(0, running.lastIndexOf(':'));
        const revisions = family === undefined ? [] : await aws.activeRevisions(family);
        return checkTaskDefinition(service, { revision: latestOf(revisions), source: 'latest' });
      }),
    );
    checks.push(
      await guardedCheck('service deployment', `${cluster}/${serviceName ?? '?'}`, async () =>
        checkServiceDeployment(
          await aws.serviceDeployments(cluster, service.serviceArn ?? serviceName ?? ''),
          cluster,
          serviceName ?? '?',
          options.since,
        ),
      ),
    );
    const wantsImage = config.compute.image.source === 'ecr' && options.imageTag !== undefined;
    checks.push(
      await guardedCheck('image', options.imageTag ?? '?', async () => {
        let found: ImagesLookup | undefined;
        if (wantsImage && running !== undefined) found = { revision: running, images: await aws.images(running) };
        return checkImage(config, options.imageTag, found);
      }),
    );
  }
  for (const instance of databaseInstancesOf(config)) {
    checks.push(
      await guardedCheck('database', instance.id, async () =>
        checkDatabase(instance, await aws.dbInstance(instance.id, instance.region)),
      ),
    );
  }
  return { checks, service: serviceName };
}

/** The service `--service` names, else the only one of the cluster (the compute layer makes one). */
async function findService(aws: VerifyAws, cluster: string, name: string | undefined): Promise<ServiceLookup> {
  let serviceName = name;
  if (serviceName === undefined) {
    const names = await aws.serviceNames(cluster);
    if (names === undefined) {
      return {
        kind: 'missing',
        detail: 'no such cluster',
        fix: 'is the Compute stack deployed in this region? (npm run first-deploy for a new environment)',
      };
    }
    if (names.length === 0) {
      return { kind: 'missing', detail: 'the cluster has no service', fix: 'deploy the Compute stack' };
    }
    if (names.length > 1) {
      return {
        kind: 'missing',
        detail: `the cluster has ${names.length} services (${names.join(', ')})`,
        fix: 'name the one to check with --service',
      };
    }
    serviceName = names[0] as string;
  }
  const service = await aws.service(cluster, serviceName);
  if (service === undefined) {
    return {
      kind: 'missing',
      detail: `no service ${serviceName}`,
      fix: 'check --service, or deploy the Compute stack',
    };
  }
  return { kind: 'found', service };
}

/** The highest revision of `family:revision`s. */
function latestOf(revisions: readonly string[]): string | undefined {
  const number = (revision: string) => Number(revision.slice(revision.lastIndexOf(':') + 1));
  return [...revisions].sort((a, b) => number(b) - number(a))[0];
}

async function guardedLookup(run: () => Promise<ServiceLookup>): Promise<ServiceLookup> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AwsUnavailableError) throw error;
    return { kind: 'missing', detail: `could not read the service: ${messageOf(error)}` };
  }
}
