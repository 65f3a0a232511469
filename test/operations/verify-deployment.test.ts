import * as http from 'node:http';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  RDSClient,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { verifyDeployment } from '../../lib/operations/verify-deployment-run';
import {
  checkDatabase,
  checkService,
  checkServiceDeployment,
  checkTaskDefinition,
  clusterNameOf,
  databaseInstancesOf,
  standbyIdentifierOf,
  outcomeOf,
  parseVerifyArgs,
  pendingModificationsOf,
  revisionOf,
  verifyExitCode,
  type VerifyReport,
} from '../../lib/operations/verify-deployment';
import { committedConfigs } from '../support/config';
import { MOTO_ENV, MOTO_REGION, NO_CREDENTIALS_ENV, runCommand, startMoto, type Moto } from '../support/moto';
import { freePort } from '../support/postgres';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const CLUSTER = 'learning-assistant-staging';
const FAMILY = 'StagingComputeWebTaskDefinitionC34682EA';
const SERVICE = 'Staging-Compute-WebServiceD04B5F3E-1A2B3C4D5E6F';
const PRIMARY = 'learning-assistant-staging-primary';
const REPLICA = 'learning-assistant-staging-replica-1';
/** Tasks moto reports running in every service it creates (MOTO_ECS_SERVICE_RUNNING, read at moto_server start). */
const MOTO_RUNNING = 2;
const imageOf = (tag: string) =>
  `123456789012.dkr.ecr.${MOTO_REGION}.amazonaws.com/learning-assistant/staging/web:${tag}`;

// ---------------------------------------------------------------------------------------------
// Arguments and names: pure, no AWS
// ---------------------------------------------------------------------------------------------

describe('verify-deployment arguments', () => {
  test('defaults: check once, poll every 15 s, no service, revision or tag given', () => {
    expect(parseVerifyArgs(['--env', 'prod'], ENVIRONMENTS)).toEqual({
      kind: 'options',
      options: {
        env: 'prod',
        waitSeconds: 0,
        pollSeconds: 15,
        service: undefined,
        taskDefinition: undefined,
        imageTag: undefined,
        endpointUrl: undefined,
        json: false,
      },
    });
  });

  test('--wait takes 90s, 15m, 1h; --task-definition takes family:revision or its ARN', () => {
    const waits = ['90s', '15m', '1h'].map((wait) => {
      const parsed = parseVerifyArgs(['--env', 'dev', '--wait', wait], ENVIRONMENTS);
      return parsed.kind === 'options' ? parsed.options.waitSeconds : parsed;
    });
    expect(waits).toEqual([90, 900, 3600]);
    const arn = `arn:aws:ecs:eu-west-1:333333333333:task-definition/${FAMILY}:42`;
    const parsed = parseVerifyArgs(['--env', 'dev', '--task-definition', arn], ENVIRONMENTS);
    expect(parsed.kind === 'options' && parsed.options.taskDefinition).toBe(`${FAMILY}:42`);
  });

  test('every problem is reported at once, each with its value', () => {
    const parsed = parseVerifyArgs(
      [
        ...['--env', 'stagin', '--wait', '15', '--poll', '0s', '--task-definition', FAMILY],
        ...['--image-tag=-bad', '--service', 'a/b', '--endpoint-url', 'localhost:4566'],
      ],
      ENVIRONMENTS,
    );
    expect(parsed).toEqual({
      kind: 'problems',
      problems: [
        '--env stagin: not an environment; did you mean "staging"? (one of dev, staging, prod)',
        '--wait 15: not a duration: use whole numbers with units h, m, s, e.g. 90s, 15m, 1h',
        '--poll 0s: must be from 0:00:01 to 0:10:00 (h:mm:ss)',
        '--service a/b: not an ECS service name (letters, digits, _ and -) or ARN',
        `--task-definition ${FAMILY}: expected family:revision (e.g. ProdComputeWebTaskDefinition1234ABCD:42) or its ARN`,
        '--image-tag -bad: not a Docker tag (letters, digits, _ . -, not starting with . or -, at most 128)',
        '--endpoint-url localhost:4566: not an http(s) URL, e.g. http://localhost:5000',
      ],
    });
  });

  test('a malformed AWS_ENDPOINT_URL is an argument error; a good one is left to the SDK', () => {
    expect(parseVerifyArgs(['--env', 'dev'], ENVIRONMENTS, { AWS_ENDPOINT_URL: 'moto:5000' })).toEqual({
      kind: 'problems',
      problems: ['AWS_ENDPOINT_URL moto:5000: not an http(s) URL, e.g. http://localhost:5000'],
    });
    const good = parseVerifyArgs(['--env', 'dev'], ENVIRONMENTS, { AWS_ENDPOINT_URL: 'http://localhost:1' });
    expect(good.kind === 'options' && good.options.endpointUrl).toBeUndefined();
  });

  test('missing --env, unknown options, positionals, --help', () => {
    expect(parseVerifyArgs([], ENVIRONMENTS)).toEqual({
      kind: 'problems',
      problems: ['--env is required: one of dev, staging, prod'],
    });
    expect(parseVerifyArgs(['--env', 'dev', '--force'], ENVIRONMENTS)).toEqual({
      kind: 'problems',
      problems: [expect.stringContaining("Unknown option '--force'")],
    });
    expect(parseVerifyArgs(['dev'], ENVIRONMENTS).kind).toBe('problems');
    expect(parseVerifyArgs(['-h'], ENVIRONMENTS)).toEqual({ kind: 'help' });
  });

  test('revisions: family:revision of an ARN or of family:revision; nothing else', () => {
    expect(revisionOf(`arn:aws:ecs:eu-west-1:123456789012:task-definition/${FAMILY}:7`)).toBe(`${FAMILY}:7`);
    expect(revisionOf(`${FAMILY}:7`)).toBe(`${FAMILY}:7`);
    expect([FAMILY, `${FAMILY}:0`, `${FAMILY}:latest`, ''].map(revisionOf)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('names: the cluster is the resource prefix; the primary, one replica per database.readReplicas, the standby', () => {
    const { dev, staging, prod } = committedConfigs();
    const refs = (config: typeof dev) =>
      databaseInstancesOf(config).map((ref) => `${ref.role} ${ref.id} ${ref.region} ${ref.replicates ?? '-'}`);
    expect(clusterNameOf(prod)).toBe('learning-assistant-prod');
    expect(refs(dev)).toEqual(['primary learning-assistant-dev-primary eu-west-1 -']);
    expect(refs(staging)).toEqual([`primary ${PRIMARY} eu-west-1 -`, `replica ${REPLICA} eu-west-1 ${PRIMARY}`]);
    const withStandby = { ...prod, backup: { ...prod.backup, standby: { lagThresholdSeconds: 900 } } } as typeof prod;
    expect(refs(withStandby)).toEqual([
      'primary learning-assistant-prod-primary eu-west-1 -',
      'replica learning-assistant-prod-replica-1 eu-west-1 learning-assistant-prod-primary',
      'replica learning-assistant-prod-replica-2 eu-west-1 learning-assistant-prod-primary',
      `standby ${standbyIdentifierOf(prod)} eu-central-1 learning-assistant-prod-primary`,
    ]);
    const noStandby = { ...prod.backup, standby: undefined };
    expect(refs({ ...prod, backup: noStandby }).some((line) => line.startsWith('standby'))).toBe(false);
  });
});

describe('verify-deployment checks', () => {
  const td = (revision: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${FAMILY}:${revision}`;
  const service = (overrides: Partial<Service> = {}, deployment: Record<string, unknown> = {}): Service => ({
    serviceName: SERVICE,
    status: 'ACTIVE',
    desiredCount: 3,
    runningCount: 3,
    deploymentController: { type: 'ECS' },
    taskDefinition: td(2),
    deployments: [
      {
        id: 'ecs-svc/1',
        status: 'PRIMARY',
        taskDefinition: td(2),
        desiredCount: 3,
        runningCount: 3,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: 'COMPLETED',
        ...deployment,
      },
    ],
    ...overrides,
  });
  const statusOf = (value: Service) => {
    const result = checkService({ kind: 'found', service: value }, CLUSTER);
    return `${result.status}: ${result.detail}`;
  };

  test('the service: pass only when the primary deployment completed with every task running and none failed', () => {
    expect(statusOf(service())).toBe('pass: deployment ecs-svc/1 COMPLETED: 3/3 running, 0 pending, 0 failed tasks');
    expect(statusOf(service({}, { rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 2 }))).toBe(
      'pending: deployment ecs-svc/1 IN_PROGRESS: 1/3 running, 2 pending, 0 failed tasks',
    );
    expect(statusOf(service({ runningCount: 2 }, { runningCount: 2 }))).toMatch(/^pending: .* but 2\/3 running/);
    expect(statusOf(service({}, { failedTasks: 2 }))).toMatch(
      /^fail: deployment ecs-svc\/1 completed, but 2 tasks failed to start or stay healthy/,
    );
    expect(statusOf(service({ status: 'DRAINING' }))).toBe('fail: the service is DRAINING');
    expect(statusOf(service({ deploymentController: { type: 'CODE_DEPLOY' } }))).toMatch(
      /^fail: deployments are controlled by CODE_DEPLOY/,
    );
  });

  test('a FAILED rollout fails even while the rollback deployment runs; an older one draining is pending', () => {
    const rollingBack = service({
      deployments: [
        { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: td(1), rolloutState: 'IN_PROGRESS' },
        {
          id: 'ecs-svc/1',
          status: 'ACTIVE',
          taskDefinition: td(2),
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        },
      ],
    });
    expect(statusOf(rollingBack)).toBe(
      `fail: deployment ecs-svc/1 (${FAMILY}:2) FAILED: ECS deployment circuit breaker: tasks failed to start.`,
    );
    const draining = service({
      deployments: [
        ...(service().deployments ?? []),
        { id: 'ecs-svc/0', status: 'ACTIVE', taskDefinition: td(1), rolloutState: 'COMPLETED' },
      ],
    });
    expect(statusOf(draining)).toMatch(/^pending: deployment ecs-svc\/1 COMPLETED, 1 older deployment still draining/);
  });

  test('the task definition: the latest active revision, or --task-definition; stale is a failure once nothing runs', () => {
    const latest = (revision: string | undefined) => ({ revision, source: 'latest' as const });
    expect(checkTaskDefinition(service(), latest(`${FAMILY}:2`)).status).toBe('pass');
    const stale = checkTaskDefinition(service(), latest(`${FAMILY}:3`));
    expect([stale.status, stale.detail]).toEqual([
      'fail',
      `the service runs ${FAMILY}:2, but the latest active revision of the family is ${FAMILY}:3: the deployment of it was rolled back, or never started`,
    ]);
    const underWay = service({}, { rolloutState: 'IN_PROGRESS' });
    expect(checkTaskDefinition(underWay, latest(`${FAMILY}:3`)).status).toBe('pending');
    expect(checkTaskDefinition(service(), { revision: `${FAMILY}:1`, source: 'option' }).detail).toBe(
      `the service runs ${FAMILY}:2, but --task-definition is ${FAMILY}:1: the deployment of it was rolled back, or never started`,
    );
    expect(checkTaskDefinition(service(), latest(undefined)).status).toBe('fail');
  });

  test('the latest service deployment decides: rolled back or stopped fails, under way is pending', () => {
    const brief = (id: string, status: string, createdAt: string, reason?: string) => ({
      serviceDeploymentArn: `arn:aws:ecs:eu-west-1:123456789012:service-deployment/${CLUSTER}/svc/${id}`,
      status: status as 'SUCCESSFUL',
      statusReason: reason,
      createdAt: new Date(createdAt),
    });
    const older = brief('Older', 'SUCCESSFUL', '2026-03-01T10:00:00Z');
    const check = (...list: ReturnType<typeof brief>[]) => {
      const result = checkServiceDeployment(list, CLUSTER, SERVICE);
      return `${result.status}: ${result.detail}`;
    };
    expect(check(brief('Newer', 'ROLLBACK_SUCCESSFUL', '2026-03-02T10:00:00Z', 'alarm ErrorRate'), older)).toBe(
      'fail: Newer ROLLBACK_SUCCESSFUL: alarm ErrorRate',
    );
    expect(check(older, brief('Newer', 'IN_PROGRESS', '2026-03-02T10:00:00Z'))).toBe('pending: Newer IN_PROGRESS');
    expect(check(older)).toBe('pass: Older SUCCESSFUL');
    expect(check(brief('Newer', 'STOPPED', '2026-03-02T10:00:00Z'), older)).toBe('fail: Newer STOPPED');
    expect(check()).toBe('skip: none recorded');
    // --since: an older rolled-back deployment does not fail a deploy that created none.
    const rolledBack = brief('Newer', 'ROLLBACK_SUCCESSFUL', '2026-03-02T10:00:00Z');
    const since = (date: string) => {
      const result = checkServiceDeployment([rolledBack, older], CLUSTER, SERVICE, new Date(date));
      return `${result.status}: ${result.detail}`;
    };
    expect(since('2026-03-03T00:00:00Z')).toBe('skip: none since 2026-03-03T00:00:00.000Z');
    expect(since('2026-03-02T10:00:00Z')).toBe('fail: Newer ROLLBACK_SUCCESSFUL');
  });

  test('--since takes an ISO 8601 time and refuses anything else', () => {
    const parsed = parseVerifyArgs(['--env', 'dev', '--since', '2026-12-07T06:30:00Z'], ENVIRONMENTS);
    expect(parsed.kind === 'options' && parsed.options.since?.toISOString()).toBe('2026-12-07T06:30:00.000Z');
    expect(parseVerifyArgs(['--env', 'dev', '--since', 'yesterday'], ENVIRONMENTS)).toEqual({
      kind: 'problems',
      problems: ['--since yesterday: not an ISO 8601 time (e.g. 2026-12-07T06:30:00Z, as date -u +%FT%TZ prints)'],
    });
  });

  test('the database: available with nothing pending; storage optimization serves; a replica of the primary', () => {
    const db = (overrides: Partial<DBInstance> = {}): DBInstance => ({
      DBInstanceIdentifier: REPLICA,
      DBInstanceStatus: 'available',
      ReadReplicaSourceDBInstanceIdentifier: PRIMARY,
      ...overrides,
    });
    const check = (instance: DBInstance | undefined) => {
      const result = checkDatabase(
        { id: REPLICA, region: 'eu-west-1', role: 'replica', replicates: PRIMARY },
        instance,
      );
      return `${result.status}: ${result.detail}`;
    };
    expect(check(db())).toBe(`pass: replica available, nothing pending, replicating ${PRIMARY}`);
    expect(check(db({ ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:eu-west-1:1:db:${PRIMARY}` }))).toMatch(
      /^pass/,
    );
    expect(check(db({ DBInstanceStatus: 'storage-optimization' }))).toMatch(/^pass/);
    expect(check(db({ DBInstanceStatus: 'modifying' }))).toBe('pending: replica is modifying');
    expect(check(db({ PendingModifiedValues: { DBInstanceClass: 'db.m7g.large' } }))).toBe(
      'pending: replica is available with pending modifications DBInstanceClass=db.m7g.large',
    );
    expect(check(db({ DBInstanceStatus: 'storage-full' }))).toBe('fail: replica is storage-full');
    expect(check(db({ ReadReplicaSourceDBInstanceIdentifier: undefined }))).toBe(
      `fail: not a read replica of ${PRIMARY} (source: none: a standalone instance)`,
    );
    expect(check(undefined)).toBe('fail: no replica instance in eu-west-1');
    expect(pendingModificationsOf({ PendingModifiedValues: { ProcessorFeatures: [] } })).toEqual([]);
  });

  test('outcome and exit code: healthy 0; a failure wins over pending; pending is 1', () => {
    const check = (status: 'pass' | 'fail' | 'pending' | 'skip') => ({ check: 'x', target: 'y', status, detail: '' });
    expect(outcomeOf([check('pass'), check('skip')])).toBe('healthy');
    expect(outcomeOf([check('pending'), check('fail')])).toBe('unhealthy');
    expect(outcomeOf([check('pass'), check('pending')])).toBe('in-progress');
    expect(
      ['healthy', 'unhealthy', 'in-progress', 'aws-unavailable'].map((outcome) =>
        verifyExitCode({ outcome: outcome as VerifyReport['outcome'] }),
      ),
    ).toEqual([0, 1, 1, 3]);
  });
});

// ---------------------------------------------------------------------------------------------
// Against moto_server, through a proxy for what moto does not model
// ---------------------------------------------------------------------------------------------

/**
 * A proxy in front of moto that records every call (`ecs:DescribeServices`, `rds:DescribeDBInstances`)
 * and stands in where moto falls short: it answers ListServiceDeployments (moto has no service
 * deployments) from {@link serviceDeployments}, and lets a test rewrite moto's answers (moto never
 * reports a FAILED rollout, failed tasks or pending DB modifications).
 */
interface AwsProxy {
  readonly endpoint: string;
  readonly calls: string[];
  /** What ListServiceDeployments answers (dates as epoch seconds, as the JSON protocol sends them). */
  serviceDeployments: Record<string, unknown>[];
  /** Rewrites moto's answer to `call` (e.g. `ecs:DescribeServices`); the text as moto sent it. */
  rewrite: ((call: string, body: string) => string) | undefined;
  stop(): Promise<void>;
}

async function startAwsProxy(target: string): Promise<AwsProxy> {
  const targetUrl = new URL(target);
  const proxy: AwsProxy = {
    endpoint: '',
    calls: [],
    serviceDeployments: [],
    rewrite: undefined,
    stop: async () => undefined,
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '?';
      const target = request.headers['x-amz-target'];
      const action =
        typeof target === 'string'
          ? (target.split('.').pop() ?? '?')
          : (new URLSearchParams(body.toString()).get('Action') ?? '?');
      const call = `${service}:${action}`;
      proxy.calls.push(call);
      if (call === 'ecs:ListServiceDeployments') {
        const text = JSON.stringify({ serviceDeployments: proxy.serviceDeployments });
        response.writeHead(200, {
          'Content-Type': 'application/x-amz-json-1.1',
          'Content-Length': Buffer.byteLength(text),
        });
        response.end(text);
        return;
      }
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: targetUrl.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: targetUrl.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const original = Buffer.concat(parts).toString();
            const text = proxy.rewrite === undefined ? original : proxy.rewrite(call, original);
            const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) };
            delete headers['transfer-encoding'];
            response.writeHead(answer.statusCode ?? 502, headers);
            response.end(text);
          });
        },
      );
      upstream.on('error', (error) => {
        response.writeHead(502);
        response.end(error.message);
      });
      upstream.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    endpoint: `http://localhost:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Changes the services of a DescribeServices answer. */
function rewriteServices(body: string, change: (service: Record<string, any>) => void): string {
  const parsed = JSON.parse(body) as { services?: Record<string, any>[] };
  (parsed.services ?? []).forEach(change);
  return JSON.stringify(parsed);
}

/** Changes one DB instance of a DescribeDBInstances answer (query protocol, XML). */
function rewriteInstance(body: string, id: string, change: (block: string) => string): string {
  return body.replace(/<DBInstance>[\s\S]*?<\/DBInstance>/g, (block) =>
    block.includes(`<DBInstanceIdentifier>${id}</DBInstanceIdentifier>`) ? change(block) : block,
  );
}

const epoch = (iso: string) => new Date(iso).getTime() / 1000;
const successful = {
  serviceDeploymentArn: `arn:aws:ecs:${MOTO_REGION}:123456789012:service-deployment/${CLUSTER}/svc/Healthy1`,
  status: 'SUCCESSFUL',
  createdAt: epoch('2026-03-05T07:00:00Z'),
  finishedAt: epoch('2026-03-05T07:20:00Z'),
};

describe('verify-deployment against moto_server', () => {
  let moto: Moto;
  let proxy: AwsProxy;
  let ecs: ECSClient;

  beforeAll(async () => {
    // moto reports this many tasks running in every service it creates; read when moto_server starts.
    process.env.MOTO_ECS_SERVICE_RUNNING = String(MOTO_RUNNING);
    // The in-process runs use the SDK's default credential chain, as the command does.
    Object.assign(process.env, MOTO_ENV);
    moto = await startMoto();
    proxy = await startAwsProxy(moto.endpoint);
    ecs = new ECSClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  }, 60_000);
  afterAll(async () => {
    ecs?.destroy();
    await proxy?.stop();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    proxy.calls.length = 0;
    proxy.rewrite = undefined;
    proxy.serviceDeployments = [successful];
  });

  /** Staging as its stacks make it: the cluster, the web service on the latest revision, the primary and its replica. */
  async function seed(
    options: { desired?: number; revisions?: number; serviceOn?: number; service?: boolean; replica?: boolean } = {},
  ) {
    const revisions = options.revisions ?? 1;
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (let revision = 1; revision <= revisions; revision++) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: FAMILY,
          containerDefinitions: [{ name: 'web', image: imageOf(`commit${revision}`), memory: 512 }],
        }),
      );
    }
    if (options.service ?? true) {
      await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: SERVICE,
          taskDefinition: `${FAMILY}:${options.serviceOn ?? revisions}`,
          desiredCount: options.desired ?? MOTO_RUNNING,
          launchType: 'FARGATE',
        }),
      );
    }
    await moto.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: PRIMARY,
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.small',
        AllocatedStorage: 20,
        MasterUsername: 'postgres',
        MasterUserPassword: 'not-a-secret-1',
      }),
    );
    if (options.replica ?? true) {
      await moto.rds.send(
        new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: REPLICA, SourceDBInstanceIdentifier: PRIMARY }),
      );
    }
  }

  /** Runs the command in process, through the proxy. */
  async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await verifyDeployment(
      ['--env', 'staging', '--endpoint-url', proxy.endpoint, ...args],
      {},
      { out: (text) => out.push(text), err: (text) => err.push(text) },
    );
    const stdout = out.join('\n');
    return {
      code,
      stdout,
      stderr: err.join('\n'),
      report: args.includes('--json') ? (JSON.parse(stdout) as VerifyReport) : undefined,
    };
  }
  const lines = (report: VerifyReport | undefined) =>
    (report?.checks ?? []).map((check) => `${check.status} ${check.check} ${check.target}`);

  test('healthy: the deployment completed on the latest revision, the database and replica available: exit 0', async () => {
    await seed({ revisions: 2 });
    const { code, report, stderr } = await run('--json', '--image-tag', 'commit2');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report).toMatchObject({
      env: 'staging',
      region: MOTO_REGION,
      cluster: CLUSTER,
      service: SERVICE,
      polls: 1,
      outcome: 'healthy',
      problem: null,
    });
    expect(lines(report)).toEqual([
      `pass service ${CLUSTER}/${SERVICE}`,
      `pass task definition ${FAMILY}:2`,
      `pass service deployment ${CLUSTER}/${SERVICE}`,
      'pass image learning-assistant/staging/web:commit2',
      `pass database ${PRIMARY}`,
      `pass database ${REPLICA}`,
    ]);
    expect(report?.checks[0]?.detail).toMatch(
      /^deployment ecs-svc\/\d+ COMPLETED: 2\/2 running, 0 pending, 0 failed tasks$/,
    );
    // Reads only, each once.
    expect(proxy.calls).toEqual([
      'ecs:ListServices',
      'ecs:DescribeServices',
      'ecs:ListTaskDefinitions',
      'ecs:ListServiceDeployments',
      'ecs:DescribeTaskDefinition',
      'rds:DescribeDBInstances',
      'rds:DescribeDBInstances',
    ]);
  });

  test('the image tag the service runs is not the one given: exit 1', async () => {
    await seed();
    const { code, report } = await run('--json', '--image-tag', 'commit9');
    expect(code).toBe(1);
    expect(report?.checks.find((check) => check.check === 'image')).toMatchObject({
      status: 'fail',
      detail: `${FAMILY}:1 runs ${imageOf('commit1')}`,
    });
  });

  test('mid-deployment, checked once: IN PROGRESS, exit 1, with the hint to wait', async () => {
    // moto starts 2 tasks; 3 are desired: its rollout stays IN_PROGRESS.
    await seed({ desired: 3 });
    const { code, stdout } = await run();
    expect(code).toBe(1);
    expect(stdout).toContain('Deployment of staging (eu-west-1): IN PROGRESS');
    expect(stdout).toMatch(
      / {2}WAIT {2}service {12}learning-assistant-staging\/.*: deployment ecs-svc\/\d+ IN_PROGRESS: 2\/3 running, 1 pending/,
    );
    expect(stdout).toContain('problem: not finished: run with --wait <duration> (e.g. --wait 15m) to wait for it');
  });

  test('mid-deployment with --wait: progress on stderr each poll until the deployment completes: exit 0', async () => {
    await seed();
    let describes = 0;
    proxy.rewrite = (call, body) => {
      if (call === 'ecs:DescribeServices' && ++describes <= 2) {
        return rewriteServices(body, (service) => {
          service.runningCount = 1;
          service.deployments[0] = {
            ...service.deployments[0],
            rolloutState: 'IN_PROGRESS',
            runningCount: 1,
            pendingCount: 1,
          };
        });
      }
      if (call === 'rds:DescribeDBInstances' && describes <= 1) {
        return rewriteInstance(body, REPLICA, (block) => block.replace('>available<', '>modifying<'));
      }
      return body;
    };
    const { code, report, stderr } = await run('--json', '--wait', '30s', '--poll', '1s');
    expect(code).toBe(0);
    expect(report).toMatchObject({ outcome: 'healthy', polls: 3, problem: null });
    const progress = stderr.split('\n');
    expect(progress).toHaveLength(3);
    expect(progress[0]).toMatch(
      new RegExp(
        `^verify-deployment: 0:00:0\\d elapsed, poll 1: ${CLUSTER}/${SERVICE}: deployment ecs-svc/\\d+ IN_PROGRESS: 1/2 running, 1 pending, 0 failed tasks; ${REPLICA}: replica is modifying$`,
      ),
    );
    expect(progress[1]).toMatch(/poll 2: .*IN_PROGRESS: 1\/2 running/);
    expect(progress[1]).not.toContain(REPLICA);
    expect(progress[2]).toMatch(/poll 3: every check passed$/);
  });

  test('mid-deployment with --wait that never completes: timed out, exit 1', async () => {
    await seed();
    proxy.rewrite = (call, body) =>
      call === 'rds:DescribeDBInstances'
        ? rewriteInstance(body, PRIMARY, (block) =>
            block.replace(
              '<DBInstanceStatus>',
              '<PendingModifiedValues><DBInstanceClass>db.m7g.large</DBInstanceClass></PendingModifiedValues><DBInstanceStatus>',
            ),
          )
        : body;
    const { code, report, stderr } = await run('--json', '--wait', '2s', '--poll', '1s');
    expect(code).toBe(1);
    expect(report).toMatchObject({ outcome: 'in-progress', problem: 'still in progress after 0:00:02 (--wait)' });
    expect(report?.polls).toBeGreaterThanOrEqual(2);
    expect(report?.checks.find((check) => check.target === PRIMARY)).toMatchObject({
      status: 'pending',
      detail: 'primary is available with pending modifications DBInstanceClass=db.m7g.large',
    });
    expect(stderr.split('\n').length).toBe(report?.polls);
  });

  test('failed deployment: the circuit breaker FAILED the rollout: unhealthy at once, even with --wait', async () => {
    await seed();
    proxy.rewrite = (call, body) =>
      call === 'ecs:DescribeServices'
        ? rewriteServices(body, (service) => {
            service.deployments[0] = {
              ...service.deployments[0],
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
              failedTasks: 3,
            };
          })
        : body;
    const { code, report } = await run('--json', '--wait', '10m', '--poll', '1s');
    expect(code).toBe(1);
    expect(report).toMatchObject({ outcome: 'unhealthy', polls: 1 });
    expect(report?.checks[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/FAILED: ECS deployment circuit breaker: tasks failed to start\.$/),
    });
  });

  test('failed deployment, rolled back: the service looks steady on the old revision; the checks say otherwise', async () => {
    // The deploy registered revision 2; ECS rolled the service back to 1.
    await seed({ revisions: 2, serviceOn: 1 });
    proxy.serviceDeployments = [
      successful,
      {
        serviceDeploymentArn: `arn:aws:ecs:${MOTO_REGION}:123456789012:service-deployment/${CLUSTER}/svc/Canary2`,
        status: 'ROLLBACK_SUCCESSFUL',
        statusReason: 'Service deployment rolled back because of alarm(s) ErrorRate.',
        createdAt: epoch('2026-03-06T07:00:00Z'),
      },
    ];
    const { code, stdout } = await run();
    expect(code).toBe(1);
    expect(stdout).toContain('Deployment of staging (eu-west-1): UNHEALTHY');
    expect(stdout).toContain(`PASS  service`);
    expect(stdout).toContain(
      `FAIL  task definition    ${FAMILY}:1: the service runs ${FAMILY}:1, but the latest active revision of the family is ${FAMILY}:2`,
    );
    expect(stdout).toContain(
      'Canary2 ROLLBACK_SUCCESSFUL: Service deployment rolled back because of alarm(s) ErrorRate.',
    );
    expect(stdout).toMatch(
      /fix: aws ecs describe-service-deployments --cluster learning-assistant-staging --service-deployment-arns arn:.*Canary2/,
    );
  });

  test('--task-definition names the revision the service must run', async () => {
    await seed({ revisions: 2 });
    expect((await run('--task-definition', `${FAMILY}:2`)).code).toBe(0);
    const { code, report } = await run('--json', '--task-definition', `${FAMILY}:1`);
    expect(code).toBe(1);
    expect(report?.checks[1]).toMatchObject({ status: 'fail', check: 'task definition' });
    expect(proxy.calls).not.toContain('ecs:ListTaskDefinitions');
  });

  test('missing service: no service in the cluster, no cluster, a --service that does not exist: exit 1', async () => {
    await seed({ service: false });
    const empty = await run('--json');
    expect(empty.code).toBe(1);
    expect(empty.report?.checks[0]).toMatchObject({
      check: 'service',
      target: CLUSTER,
      status: 'fail',
      detail: 'the cluster has no service',
    });
    // The database is still checked: the report says everything it knows.
    expect(lines(empty.report)).toEqual([
      `fail service ${CLUSTER}`,
      `pass database ${PRIMARY}`,
      `pass database ${REPLICA}`,
    ]);

    const named = await run('--json', '--service', 'web');
    expect(named.report?.checks[0]).toMatchObject({ status: 'fail', detail: 'no service web' });

    await moto.reset();
    const none = await run('--json');
    expect(none.report?.checks[0]).toMatchObject({ status: 'fail', detail: 'no such cluster' });
    expect(none.report?.checks.slice(1).map((check) => check.detail)).toEqual([
      'no primary instance in eu-west-1',
      'no replica instance in eu-west-1',
    ]);
  });

  test('a replica missing, or not replicating the primary: exit 1', async () => {
    await seed({ replica: false });
    const { code, report } = await run('--json');
    expect(code).toBe(1);
    expect(report?.checks.at(-1)).toMatchObject({
      target: REPLICA,
      status: 'fail',
      detail: 'no replica instance in eu-west-1',
    });
  });

  test('prod: two replicas and the standby in the DR region, which names the primary by ARN', async () => {
    const prodCluster = 'learning-assistant-prod';
    const primary = 'learning-assistant-prod-primary';
    await ecs.send(new CreateClusterCommand({ clusterName: prodCluster }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'ProdWeb',
        containerDefinitions: [{ name: 'web', image: 'x:1', memory: 512 }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: prodCluster,
        serviceName: 'web',
        taskDefinition: 'ProdWeb:1',
        desiredCount: MOTO_RUNNING,
      }),
    );
    const created = await moto.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: primary,
        Engine: 'postgres',
        DBInstanceClass: 'db.m7g.large',
        AllocatedStorage: 20,
        MasterUsername: 'postgres',
        MasterUserPassword: 'not-a-secret-1',
      }),
    );
    for (const replica of ['learning-assistant-prod-replica-1', 'learning-assistant-prod-replica-2']) {
      await moto.rds.send(
        new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: replica, SourceDBInstanceIdentifier: primary }),
      );
    }
    const runProd = async () => {
      const out: string[] = [];
      const code = await verifyDeployment(
        ['--env', 'prod', '--json', '--endpoint-url', proxy.endpoint],
        {},
        {
          out: (text) => out.push(text),
          err: () => undefined,
        },
      );
      return { code, report: JSON.parse(out.join('\n')) as VerifyReport };
    };

    const before = await runProd();
    expect(before.code).toBe(1);
    expect(before.report.checks.at(-1)).toEqual({
      check: 'database',
      target: 'learning-assistant-prod-standby (eu-central-1)',
      status: 'fail',
      detail: 'no standby instance in eu-central-1',
      fix: 'is the Standby stack deployed? (backup.standby)',
    });

    const dr = new RDSClient({
      region: 'eu-central-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await dr.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'learning-assistant-prod-standby',
        SourceDBInstanceIdentifier: created.DBInstance?.DBInstanceArn,
      }),
    );
    dr.destroy();
    const after = await runProd();
    expect(after.code).toBe(0);
    expect(after.report.checks.filter((check) => check.check === 'database').map((check) => check.detail)).toEqual([
      'primary available, nothing pending',
      `replica available, nothing pending, replicating ${primary}`,
      `replica available, nothing pending, replicating ${primary}`,
      `standby available, nothing pending, replicating ${primary}`,
    ]);
    expect(proxy.calls.filter((call) => call.startsWith('rds:')).slice(-4)).toEqual([
      'rds:DescribeDBInstances',
      'rds:DescribeDBInstances',
      'rds:DescribeDBInstances',
      'rds:DescribeDBInstances',
    ]);
  });

  test('the bin as a child process: endpoint from AWS_ENDPOINT_URL, human report on stdout, exit 0', async () => {
    await seed();
    const result = await runCommand('verify-deployment.ts', ['--env', 'staging'], { AWS_ENDPOINT_URL: proxy.endpoint });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'Deployment of staging (eu-west-1): HEALTHY',
      expect.stringMatching(
        /^ {2}PASS {2}service {12}learning-assistant-staging\/Staging-Compute-.*: deployment ecs-svc\/\d+ COMPLETED: 2\/2 running/,
      ),
      `  PASS  task definition    ${FAMILY}:1: the latest active revision of the family`,
      expect.stringMatching(/^ {2}PASS {2}service deployment .*Healthy1 SUCCESSFUL at 2026-03-05T07:20:00.000Z$/),
      '  SKIP  image              learning-assistant/staging/web: not checked (no --image-tag)',
      `  PASS  database           ${PRIMARY}: primary available, nothing pending`,
      `  PASS  database           ${REPLICA}: replica available, nothing pending, replicating ${PRIMARY}`,
      '',
    ]);
    expect(proxy.calls).toContain('ecs:ListServiceDeployments');
  });

  test.each([
    [['--env', 'qa'], '--env qa: not an environment'],
    [['--env', 'staging', '--wait', '15'], '--wait 15: not a duration'],
    [['--env', 'staging', '--wait', '7h'], '--wait 7h: must be from 0:00:00 to 6:00:00'],
    [['--env', 'staging', '--verbose'], "Unknown option '--verbose'"],
  ])('bad arguments %j: exit 2, the problem and the usage, no call at all', async (args, message) => {
    await seed();
    const result = await runCommand('verify-deployment.ts', [...args, '--endpoint-url', proxy.endpoint]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Exit codes:');
    expect(result.stdout).toBe('');
    expect(proxy.calls).toEqual([]);
  });

  test('AWS unreachable: exit 3 with what could not be called', async () => {
    const closed = await freePort();
    const result = await runCommand('verify-deployment.ts', [
      '--env',
      'staging',
      '--json',
      '--endpoint-url',
      `http://localhost:${closed}`,
    ]);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(report).toMatchObject({ outcome: 'aws-unavailable', polls: 1, checks: [] });
    expect(report.problem).toMatch(
      /^ecs:ListServices: AWS did not answer \(connect ECONNREFUSED .*\): check the network/,
    );
  });

  test('no credentials: exit 3, asking to log in', async () => {
    const result = await runCommand(
      'verify-deployment.ts',
      ['--env', 'staging', '--endpoint-url', proxy.endpoint],
      NO_CREDENTIALS_ENV,
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/problem: ecs:ListServices: no usable AWS credentials \(.*\): log in/);
    expect(proxy.calls).toEqual([]);
  });
});
