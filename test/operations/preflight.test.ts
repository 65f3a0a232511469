import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateHostedZoneCommand, DeleteHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  checkBootstrap,
  checkHostedZone,
  deployRegionsOf,
  parsePreflightArgs,
  preflightExitCode,
  type PreflightReport,
  type ToolkitStack,
} from '../../lib/operations/preflight';
import { preflight, requiredBootstrapVersion } from '../../lib/operations/preflight-run';
import { committedConfigs } from '../support/config';
import { MOTO_ENV, MOTO_REGION, NO_CREDENTIALS_ENV, runCommand, startMoto, type Moto } from '../support/moto';
import { freePort } from '../support/postgres';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
/** The account moto answers for (GetCallerIdentity). */
const MOTO_ACCOUNT = '123456789012';
const REPOSITORY = 'learning-assistant/prod/web';
const ZONE = 'learning-assistant.example.com';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

// ---------------------------------------------------------------------------------------------
// Arguments and checks: pure, no AWS
// ---------------------------------------------------------------------------------------------

describe('preflight arguments', () => {
  test('defaults: the configured tag, the CDKToolkit stack, the SDK endpoint', () => {
    expect(parsePreflightArgs(['--env', 'prod'], ENVIRONMENTS)).toEqual({
      kind: 'options',
      options: {
        env: 'prod',
        imageTag: undefined,
        toolkitStackName: 'CDKToolkit',
        endpointUrl: undefined,
        json: false,
      },
    });
  });

  test('every problem is reported at once, each with its value', () => {
    const parsed = parsePreflightArgs(
      ['--env', 'prd', '--image-tag', 'a:b', '--toolkit-stack-name', '1stack', '--endpoint-url', 'ftp://x'],
      ENVIRONMENTS,
    );
    expect(parsed).toEqual({
      kind: 'problems',
      problems: [
        '--env prd: not an environment; did you mean "prod"? (one of dev, staging, prod)',
        '--image-tag a:b: not a Docker tag (letters, digits, _ . -, not starting with . or -, at most 128)',
        '--toolkit-stack-name 1stack: not a CloudFormation stack name (letters, digits, -)',
        '--endpoint-url ftp://x: not an http(s) URL, e.g. http://localhost:5000',
      ],
    });
  });

  test('missing --env, unknown options, positionals, --help', () => {
    expect(parsePreflightArgs([], ENVIRONMENTS)).toEqual({
      kind: 'problems',
      problems: ['--env is required: one of dev, staging, prod'],
    });
    expect(parsePreflightArgs(['--env', 'dev', '--region', 'eu-west-1'], ENVIRONMENTS)).toEqual({
      kind: 'problems',
      problems: [expect.stringContaining("Unknown option '--region'")],
    });
    expect(parsePreflightArgs(['prod'], ENVIRONMENTS).kind).toBe('problems');
    expect(parsePreflightArgs(['--help'], ENVIRONMENTS)).toEqual({ kind: 'help' });
  });
});

describe('preflight checks', () => {
  test('regions to bootstrap: home and us-east-1 (Edge); the DR region too where backup is on', () => {
    const { dev, prod } = committedConfigs();
    expect(deployRegionsOf(dev)).toEqual([
      { region: 'eu-west-1', stacks: ['Network, Data, Registry, Compute, Monitoring'] },
      { region: 'us-east-1', stacks: ['Edge'] },
    ]);
    const backup = { ...prod.backup, standby: undefined };
    expect(deployRegionsOf({ ...prod, backup }).map((where) => `${where.region} ${where.stacks.join()}`)).toEqual([
      'eu-west-1 Network, Data, Registry, Compute, Monitoring',
      'us-east-1 Edge',
      'eu-central-1 Dr',
    ]);
    const standby = { ...prod.backup, standby: { lagThresholdSeconds: 900 } } as typeof prod.backup;
    expect(deployRegionsOf({ ...prod, backup: standby }).at(-1)).toEqual({
      region: 'eu-central-1',
      stacks: ['Dr, Standby'],
    });
  });

  test("the required bootstrap version is aws-cdk-lib's own (the default synthesizer's minimum)", () => {
    const library = path.dirname(require.resolve('aws-cdk-lib/package.json'));
    const source = readFileSync(path.join(library, 'core/lib/stack-synthesizers/default-synthesizer.js'), 'utf8');
    const constant = /MIN_BOOTSTRAP_STACK_VERSION=(\d+)/.exec(source)?.[1];
    expect(constant).toBeDefined();
    expect(requiredBootstrapVersion()).toBe(Number(constant));
  });

  test('bootstrap: missing, unstable, unreadable or older than required fails, with the command to fix it', () => {
    const where = { region: 'us-east-1', stacks: ['Edge'] };
    const options = { account: '333333333333', toolkitStackName: 'CDKToolkit' };
    const check = (stack: Parameters<typeof checkBootstrap>[1], required = 6) => {
      const result = checkBootstrap(where, stack, required, options);
      return `${result.status}: ${result.detail}${result.fix === undefined ? '' : ` | ${result.fix}`}`;
    };
    const stack = (status: string, version?: string): ToolkitStack => ({
      status,
      outputs: version === undefined ? {} : { BootstrapVersion: version },
    });
    const bootstrap = 'npx cdk bootstrap aws://333333333333/us-east-1';
    expect(check(stack('UPDATE_COMPLETE', '6'))).toBe('pass: bootstrap version 6 (at least 6 needed)');
    expect(check(stack('UPDATE_ROLLBACK_COMPLETE', '30'))).toMatch(/^pass/);
    expect(check(stack('CREATE_COMPLETE', '5'))).toBe(
      `fail: bootstrap version 5; the stacks need at least 6 | ${bootstrap}`,
    );
    expect(check(undefined)).toBe(`fail: no CDKToolkit stack: the region is not bootstrapped | ${bootstrap}`);
    expect(check(stack('UPDATE_IN_PROGRESS', '30'))).toBe(
      'fail: CDKToolkit is UPDATE_IN_PROGRESS | wait until it finishes, then run preflight again',
    );
    expect(check(stack('ROLLBACK_COMPLETE', '30'))).toMatch(/^fail: CDKToolkit is ROLLBACK_COMPLETE \| see its events/);
    expect(check(stack('CREATE_COMPLETE'))).toBe(
      `fail: CDKToolkit has no BootstrapVersion output: not a CDK bootstrap stack? | ${bootstrap}`,
    );
    expect(checkBootstrap(where, undefined, 6, { ...options, toolkitStackName: 'Toolkit' }).fix).toBe(
      `${bootstrap} --toolkit-stack-name Toolkit`,
    );
  });

  test('hosted zone: the ID must name a public zone of the configured name; the fix names the right ID', () => {
    const { prod, dev } = committedConfigs();
    const zone = (id: string, name = `${ZONE}.`, privateZone = false) => ({ id, name, privateZone });
    const id = prod.domain?.hostedZoneId as string;
    expect(checkHostedZone(prod, zone(id), []).status).toBe('pass');
    const missing = checkHostedZone(prod, undefined, [zone('ZRIGHT1'), zone('ZPRIVATE', `${ZONE}.`, true)]);
    expect([missing.status, missing.detail, missing.fix]).toEqual([
      'fail',
      'no hosted zone with this ID',
      `set domain.hostedZoneId (or LA_PROD_HOSTED_ZONE_ID) to ZRIGHT1, the public zone named ${ZONE}`,
    ]);
    expect(checkHostedZone(prod, zone(id, 'other.example.com.'), []).detail).toBe(
      `the zone is other.example.com, not ${ZONE}`,
    );
    expect(checkHostedZone(prod, zone(id, `${ZONE}.`, true), []).detail).toMatch(/^the zone is private/);
    expect(checkHostedZone(prod, undefined, []).fix).toMatch(/^create the public hosted zone learning-assistant/);
    expect(checkHostedZone(dev, undefined, [])).toMatchObject({ status: 'skip', detail: 'no domain configured' });
  });

  test('exit codes: 0 passed, 1 failed, 3 AWS unavailable', () => {
    const outcomes: PreflightReport['outcome'][] = ['passed', 'failed', 'aws-unavailable'];
    expect(outcomes.map((outcome) => preflightExitCode({ outcome }))).toEqual([0, 1, 3]);
  });
});

// ---------------------------------------------------------------------------------------------
// Against moto_server
// ---------------------------------------------------------------------------------------------

/** A proxy in front of moto that only records calls: `sts:GetCallerIdentity`, `route53:GET /2013-04-01/hostedzone/...`. */
interface Recorder {
  readonly endpoint: string;
  readonly calls: string[];
  stop(): Promise<void>;
}

async function startRecorder(target: string): Promise<Recorder> {
  const targetUrl = new URL(target);
  const calls: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const service = /Credential=[^/]+\/[^/]+\/([^/]+)\/([^/]+)\//.exec(request.headers.authorization ?? '');
      const target = request.headers['x-amz-target'];
      const action =
        typeof target === 'string'
          ? target.split('.').pop()
          : (new URLSearchParams(body.toString()).get('Action') ?? `${request.method} ${request.url}`);
      calls.push(`${service?.[2] ?? '?'}:${action} (${service?.[1] ?? '?'})`);
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: targetUrl.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: targetUrl.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
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
  return {
    endpoint: `http://localhost:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('preflight against moto_server', () => {
  let moto: Moto;
  let recorder: Recorder;
  let ecr: ECRClient;
  let route53: Route53Client;
  /** The ID of the seeded zone, which the config is pointed at (LA_PROD_HOSTED_ZONE_ID). */
  let zoneId: string;

  beforeAll(async () => {
    // The in-process runs use the SDK's default credential chain and region, as the command does.
    Object.assign(process.env, MOTO_ENV);
    moto = await startMoto();
    recorder = await startRecorder(moto.endpoint);
    ecr = new ECRClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
    route53 = new Route53Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials: CREDENTIALS });
  }, 60_000);
  afterAll(async () => {
    ecr?.destroy();
    route53?.destroy();
    await recorder?.stop();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    recorder.calls.length = 0;
  });

  async function bootstrap(region: string, version: string, stackName = 'CDKToolkit') {
    const client = new CloudFormationClient({ region, endpoint: moto.endpoint, credentials: CREDENTIALS });
    // The real template's version parameter and output, on a resource moto models.
    const template = {
      Resources: {
        CdkBootstrapVersion: {
          Type: 'AWS::SSM::Parameter',
          Properties: { Type: 'String', Name: `/cdk-bootstrap/hnb659fds/version-${stackName}`, Value: version },
        },
      },
      Outputs: { BootstrapVersion: { Value: version, Description: 'The version of the bootstrap resources' } },
    };
    await client.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));
    client.destroy();
  }

  async function pushImage(tag: string) {
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 1,
        digest: `sha256:${'a'.repeat(64)}`,
      },
      layers: [],
    };
    await ecr.send(
      new PutImageCommand({ repositoryName: REPOSITORY, imageTag: tag, imageManifest: JSON.stringify(manifest) }),
    );
  }

  /**
   * A public zone of the name, with an ID of Route 53's form: moto draws IDs from A-Z and 0-9 at
   * random, and the config accepts only `Z...`; zones are drawn until one fits.
   */
  async function createZone(name: string): Promise<string> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const created = await route53.send(
        new CreateHostedZoneCommand({ Name: name, CallerReference: `zone-${attempt}` }),
      );
      const id = (created.HostedZone?.Id ?? '').replace('/hostedzone/', '');
      if (/^Z[A-Z0-9]{6,31}$/.test(id)) return id;
      await route53.send(new DeleteHostedZoneCommand({ Id: id }));
    }
    throw new Error('moto gave no zone ID starting with Z in 1000 attempts');
  }

  /** Prod ready to deploy: three regions bootstrapped, the repository with the tag, the zone. */
  async function seedProd(options: { bootstrapVersion?: string; tag?: string; zone?: boolean } = {}) {
    for (const region of ['eu-west-1', 'us-east-1', 'eu-central-1'])
      await bootstrap(region, options.bootstrapVersion ?? '30');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
    await pushImage(options.tag ?? 'abc1234');
    zoneId = options.zone === false ? 'Z0PROD0EXAMPLE0ZONE0ID' : await createZone(ZONE);
  }

  /** The config overrides a real deployment would set: moto's account, the seeded zone. */
  const prodEnv = () => ({ LA_PROD_ACCOUNT: MOTO_ACCOUNT, LA_PROD_HOSTED_ZONE_ID: zoneId });

  async function run(args: string[], env: Record<string, string> = prodEnv()) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await preflight(['--endpoint-url', recorder.endpoint, '--json', ...args], env, {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    });
    return { code, report: JSON.parse(out.join('\n')) as PreflightReport, stderr: err.join('\n') };
  }
  const lines = (report: PreflightReport) =>
    report.checks.map((check) => `${check.status} ${check.check} ${check.target}: ${check.detail}`);

  test('prod ready: account, region, three bootstrapped regions, the image tag, the zone: exit 0', async () => {
    await seedProd();
    const { code, report, stderr } = await run(['--env', 'prod', '--image-tag', 'abc1234']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report).toMatchObject({
      env: 'prod',
      account: MOTO_ACCOUNT,
      region: 'eu-west-1',
      imageTag: 'abc1234',
      requiredBootstrapVersion: requiredBootstrapVersion(),
      outcome: 'passed',
      problem: null,
    });
    const required = requiredBootstrapVersion();
    expect(lines(report)).toEqual([
      "pass region eu-west-1: the shell's default region",
      `pass account ${MOTO_ACCOUNT}: the credentials are for it (arn:aws:sts::${MOTO_ACCOUNT}:user/moto)`,
      `pass bootstrap eu-west-1 (Network, Data, Registry, Compute, Monitoring): bootstrap version 30 (at least ${required} needed)`,
      `pass bootstrap us-east-1 (Edge): bootstrap version 30 (at least ${required} needed)`,
      `pass bootstrap eu-central-1 (Dr, Standby): bootstrap version 30 (at least ${required} needed)`,
      expect.stringMatching(new RegExp(`^pass image ${REPOSITORY}:abc1234: exists \\(sha256:[0-9a-f]{64}, pushed 20`)),
      `pass hosted zone ${zoneId} (${ZONE}): a public zone of that name`,
    ]);
    // Reads only, each in its region.
    expect(recorder.calls).toEqual([
      'sts:GetCallerIdentity (eu-west-1)',
      'cloudformation:DescribeStacks (eu-west-1)',
      'cloudformation:DescribeStacks (us-east-1)',
      'cloudformation:DescribeStacks (eu-central-1)',
      'ecr:DescribeImages (eu-west-1)',
      `route53:GET /2013-04-01/hostedzone/${zoneId} (us-east-1)`,
    ]);
  });

  test('without --image-tag the configured tag is checked: missing from the repository, exit 1 with the push', async () => {
    await seedProd();
    const { code, report } = await run(['--env', 'prod']);
    expect(code).toBe(1);
    expect(report.outcome).toBe('failed');
    expect(report.checks.find((check) => check.check === 'image')).toEqual({
      check: 'image',
      target: `${REPOSITORY}:0.1.0`,
      status: 'fail',
      detail: 'no image with tag 0.1.0',
      fix: `push it: docker buildx build --platform linux/arm64 --tag ${MOTO_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}:0.1.0 --push app`,
    });
    expect(report.checks.filter((check) => check.status === 'fail')).toHaveLength(1);
  });

  test('no repository yet: the image check says to deploy the Registry stack first', async () => {
    for (const region of ['eu-west-1', 'us-east-1', 'eu-central-1']) await bootstrap(region, '30');
    zoneId = await createZone(ZONE);
    const { code, report } = await run(['--env', 'prod', '--image-tag', 'abc1234']);
    expect(code).toBe(1);
    expect(report.checks.find((check) => check.check === 'image')).toMatchObject({
      status: 'fail',
      detail: `no repository ${REPOSITORY} in eu-west-1`,
      fix: expect.stringMatching(/^deploy the Registry stack first/),
    });
  });

  test('credentials for another account: exit 1, and nothing else is asked of that account', async () => {
    await seedProd();
    const { code, report } = await run(['--env', 'prod', '--image-tag', 'abc1234'], { LA_PROD_HOSTED_ZONE_ID: zoneId });
    expect(code).toBe(1);
    expect(lines(report)).toEqual([
      "pass region eu-west-1: the shell's default region",
      `fail account 333333333333: the credentials are for account ${MOTO_ACCOUNT} (arn:aws:sts::${MOTO_ACCOUNT}:user/moto), not prod's`,
      "skip other checks prod: not run: the credentials are not for the environment's account",
    ]);
    expect(report.checks[1]?.fix).toBe(
      'use credentials of account 333333333333 (another profile: AWS_PROFILE=...), or correct the account (config/prod.ts, or LA_PROD_ACCOUNT)',
    );
    expect(recorder.calls).toEqual(['sts:GetCallerIdentity (eu-west-1)']);
  });

  test('an old bootstrap and an unbootstrapped DR region: each fails with its cdk bootstrap command', async () => {
    await bootstrap('eu-west-1', '30');
    await bootstrap('us-east-1', String(requiredBootstrapVersion() - 1));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
    await pushImage('abc1234');
    zoneId = await createZone(ZONE);
    const { code, report } = await run(['--env', 'prod', '--image-tag', 'abc1234']);
    expect(code).toBe(1);
    const failed = report.checks.filter((check) => check.status === 'fail');
    expect(failed).toEqual([
      {
        check: 'bootstrap',
        target: 'us-east-1 (Edge)',
        status: 'fail',
        detail: `bootstrap version ${requiredBootstrapVersion() - 1}; the stacks need at least ${requiredBootstrapVersion()}`,
        fix: `npx cdk bootstrap aws://${MOTO_ACCOUNT}/us-east-1`,
      },
      {
        check: 'bootstrap',
        target: 'eu-central-1 (Dr, Standby)',
        status: 'fail',
        detail: 'no CDKToolkit stack: the region is not bootstrapped',
        fix: `npx cdk bootstrap aws://${MOTO_ACCOUNT}/eu-central-1`,
      },
    ]);
  });

  test('--toolkit-stack-name reads another bootstrap stack', async () => {
    await seedProd();
    for (const region of ['eu-west-1', 'us-east-1', 'eu-central-1']) await bootstrap(region, '25', 'TeamToolkit');
    const { report } = await run(['--env', 'prod', '--image-tag', 'abc1234', '--toolkit-stack-name', 'TeamToolkit']);
    expect(report.checks.filter((check) => check.check === 'bootstrap').map((check) => check.detail)).toEqual(
      Array(3).fill(`bootstrap version 25 (at least ${requiredBootstrapVersion()} needed)`),
    );
  });

  test('the configured hosted zone ID does not exist: exit 1, naming the ID of the zone of that name', async () => {
    await seedProd({ zone: false });
    const actual = await createZone(ZONE);
    const { code, report } = await run(['--env', 'prod', '--image-tag', 'abc1234'], { LA_PROD_ACCOUNT: MOTO_ACCOUNT });
    expect(code).toBe(1);
    expect(report.checks.at(-1)).toEqual({
      check: 'hosted zone',
      target: `Z0PROD0EXAMPLE0ZONE0ID (${ZONE})`,
      status: 'fail',
      detail: 'no hosted zone with this ID',
      fix: `set domain.hostedZoneId (or LA_PROD_HOSTED_ZONE_ID) to ${actual}, the public zone named ${ZONE}`,
    });
    expect(recorder.calls.slice(-2)).toEqual([
      'route53:GET /2013-04-01/hostedzone/Z0PROD0EXAMPLE0ZONE0ID (us-east-1)',
      `route53:GET /2013-04-01/hostedzonesbyname?dnsname=${ZONE}&maxitems=10 (us-east-1)`,
    ]);
  });

  test('dev: the image is built at deploy and there is no domain: skipped; two regions to bootstrap', async () => {
    for (const region of ['eu-west-1', 'us-east-1']) await bootstrap(region, '30');
    const { code, report } = await run(['--env', 'dev', '--image-tag', 'abc1234'], { LA_DEV_ACCOUNT: MOTO_ACCOUNT });
    expect(code).toBe(0);
    expect(report.imageTag).toBeNull();
    expect(lines(report).slice(2)).toEqual([
      `pass bootstrap eu-west-1 (Network, Data, Registry, Compute, Monitoring): bootstrap version 30 (at least ${requiredBootstrapVersion()} needed)`,
      `pass bootstrap us-east-1 (Edge): bootstrap version 30 (at least ${requiredBootstrapVersion()} needed)`,
      'skip image learning-assistant/dev/web: skipped (image built from app/ at deploy)',
      'skip hosted zone (none): no domain configured',
    ]);
  });

  test('the bin as a child process: a shell pointed at another region fails the region check, exit 1', async () => {
    await seedProd();
    const result = await runCommand(
      'preflight.ts',
      ['--env', 'prod', '--image-tag', 'abc1234', '--endpoint-url', recorder.endpoint],
      {
        ...prodEnv(),
        AWS_REGION: 'us-west-2',
      },
    );
    expect(result.code).toBe(1);
    const stdout = result.stdout.split('\n');
    expect(stdout[0]).toBe(`Preflight of prod (account ${MOTO_ACCOUNT}, eu-west-1): FAILED`);
    expect(stdout.slice(1, 3)).toEqual([
      "  FAIL  region             eu-west-1: the shell's default region (AWS_REGION or the profile's) is us-west-2",
      "                           fix: export AWS_REGION=eu-west-1, or use the environment's profile",
    ]);
    expect(stdout.filter((line) => line.startsWith('  PASS'))).toHaveLength(6);
  });

  test.each([
    [['--env', 'qa'], '--env qa: not an environment'],
    [['--env', 'prod', '--image-tag', 'a:b'], '--image-tag a:b: not a Docker tag'],
    [['--env', 'prod', '--wait', '5m'], "Unknown option '--wait'"],
  ])('bad arguments %j: exit 2, the problem and the usage, no call at all', async (args, message) => {
    const result = await runCommand('preflight.ts', [...args, '--endpoint-url', recorder.endpoint]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Exit codes:');
    expect(result.stdout).toBe('');
    expect(recorder.calls).toEqual([]);
  });

  test('a configuration error (a bad override) is exit 2 too', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await preflight(
      ['--env', 'prod', '--endpoint-url', recorder.endpoint],
      { LA_PROD_ACCOUNT: '12' },
      {
        out: (text) => out.push(text),
        err: (text) => err.push(text),
      },
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('prod: account');
    expect(out).toEqual([]);
    expect(recorder.calls).toEqual([]);
  });

  test('AWS unreachable: exit 3, naming the call', async () => {
    const closed = await freePort();
    const result = await runCommand(
      'preflight.ts',
      ['--env', 'prod', '--json', '--endpoint-url', `http://localhost:${closed}`],
      prodEnv(),
    );
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as PreflightReport;
    expect(report.outcome).toBe('aws-unavailable');
    expect(report.problem).toMatch(
      /^sts:GetCallerIdentity: AWS did not answer \(connect ECONNREFUSED .*\): check the network/,
    );
  });

  test('no credentials: exit 3, asking to log in', async () => {
    const result = await runCommand(
      'preflight.ts',
      ['--env', 'prod', '--endpoint-url', recorder.endpoint],
      NO_CREDENTIALS_ENV,
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/problem: sts:GetCallerIdentity: no usable AWS credentials \(.*\): log in/);
    expect(recorder.calls).toEqual([]);
  });
});
