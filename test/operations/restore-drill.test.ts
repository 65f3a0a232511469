import { EventEmitter } from 'node:events';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  CreateDBSubnetGroupCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type DBInstance,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import {
  chooseRestorePoint,
  drillInstanceIdentifier,
  evaluateTargets,
  exitCodeOf,
  isFailedStatus,
  outcomeOfRestored,
  parseDuration,
  parseRestoreDrillArgs,
  planDrill,
  pollDelaySeconds,
  restoreRequest,
  RPO_SECONDS,
  RTO_SECONDS,
  type DrillPlan,
  type DrillReport,
  type PlanInputs,
  type RestoreRequest,
} from '../../lib/operations/restore-drill';
import { restoreDrill, type RdsApi } from '../../lib/operations/restore-drill-run';
import { runCommand, startMoto, startRdsProxy, type Moto, type RdsProxy } from '../support/moto';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const SOURCE = 'learning-assistant-dev-primary';
const DRILL_ID = /^learning-assistant-dev-drill-\d{12}$/;
const SG = 'sg-0123456789abcdef0';

// ---------------------------------------------------------------------------------------------
// Planning: pure functions, no RDS
// ---------------------------------------------------------------------------------------------

describe('restore-drill arguments', () => {
  test.each([
    ['90m', 5400],
    ['1h30m', 5400],
    ['45s', 45],
    ['0s', 0],
    ['4h', 14400],
    ['1h0m5s', 3605],
  ])('duration %s is %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  test.each(['', '90', '1.5h', '-1m', 'm', '1m1h', '5 m', '1d'])('duration %j is refused', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  test('defaults: auto point, 4 h timeout (the RTO), 30 s poll, db.t4g.micro', () => {
    const parsed = parseRestoreDrillArgs(['--env', 'prod', '--isolated-security-group', SG], ENVIRONMENTS);
    expect(parsed).toEqual({
      kind: 'options',
      options: {
        env: 'prod',
        region: undefined,
        dryRun: false,
        json: false,
        timeoutSeconds: RTO_SECONDS,
        pollSeconds: 30,
        instanceClass: 'db.t4g.micro',
        endpointUrl: undefined,
        isolatedSecurityGroupId: SG,
        point: 'auto',
      },
    });
  });

  test('every problem is reported at once, each with its value', () => {
    const parsed = parseRestoreDrillArgs(
      [
        '--env',
        'prd',
        '--timeout',
        '90',
        '--poll',
        '0s',
        '--instance-class',
        't4g.micro',
        '--region',
        'eu-west-9',
        '--isolated-security-group',
        'sg-xyz',
        '--point',
        'latest',
        '--endpoint-url',
        'localhost:5000',
      ],
      ENVIRONMENTS,
    );
    expect(parsed.kind).toBe('problems');
    const problems = parsed.kind === 'problems' ? parsed.problems : [];
    expect(problems).toEqual([
      '--env prd: not an environment; did you mean "prod"? (one of dev, staging, prod)',
      expect.stringContaining('--region eu-west-9: not an AWS region'),
      '--timeout 90: not a duration: use whole numbers with units h, m, s, e.g. 90m, 1h30m, 45s',
      '--poll 0s: must be from 0:00:01 to 0:10:00 (h:mm:ss)',
      '--instance-class t4g.micro: not a DB instance class, e.g. db.t4g.micro or db.m7g.large',
      '--endpoint-url localhost:5000: not an http(s) URL, e.g. http://localhost:5000',
      '--isolated-security-group sg-xyz: not a security group ID (sg- and 8 or 17 hex digits)',
      '--point latest: expected one of auto, pitr, snapshot',
    ]);
  });

  test('the isolated security group is required, except for a dry run', () => {
    const run = parseRestoreDrillArgs(['--env', 'dev'], ENVIRONMENTS);
    expect(run).toEqual({
      kind: 'problems',
      problems: [expect.stringContaining('--isolated-security-group is required (except with --dry-run)')],
    });
    expect(parseRestoreDrillArgs(['--env', 'dev', '--dry-run'], ENVIRONMENTS).kind).toBe('options');
  });

  test('missing --env, unknown options and positionals are refused', () => {
    expect(parseRestoreDrillArgs(['--isolated-security-group', SG], ENVIRONMENTS)).toEqual({
      kind: 'problems',
      problems: ['--env is required: one of dev, staging, prod'],
    });
    expect(parseRestoreDrillArgs(['--env', 'dev', '--force'], ENVIRONMENTS)).toEqual({
      kind: 'problems',
      problems: [expect.stringContaining("Unknown option '--force'")],
    });
    expect(parseRestoreDrillArgs(['dev'], ENVIRONMENTS).kind).toBe('problems');
  });

  test('the endpoint: --endpoint-url, else AWS_ENDPOINT_URL_RDS, else AWS_ENDPOINT_URL', () => {
    const endpoint = (argv: string[], env: Record<string, string>) => {
      const parsed = parseRestoreDrillArgs(['--env', 'dev', '--dry-run', ...argv], ENVIRONMENTS, env);
      return parsed.kind === 'options' ? parsed.options.endpointUrl : parsed;
    };
    const both = { AWS_ENDPOINT_URL: 'http://localhost:1', AWS_ENDPOINT_URL_RDS: 'http://localhost:2' };
    expect(endpoint([], { AWS_ENDPOINT_URL: 'http://localhost:1' })).toBe('http://localhost:1');
    expect(endpoint([], both)).toBe('http://localhost:2');
    expect(endpoint(['--endpoint-url', 'https://rds.example'], both)).toBe('https://rds.example');
    expect(endpoint([], {})).toBeUndefined();
  });

  test('--help', () => {
    expect(parseRestoreDrillArgs(['--help'], ENVIRONMENTS)).toEqual({ kind: 'help' });
  });
});

describe('restore-drill planning', () => {
  const at = (iso: string) => new Date(iso);
  const instance = (overrides: Partial<DBInstance> = {}): DBInstance => ({
    DBInstanceIdentifier: SOURCE,
    BackupRetentionPeriod: 7,
    LatestRestorableTime: at('2026-03-05T06:55:00Z'),
    EngineVersion: '17.6',
    DBSubnetGroup: { DBSubnetGroupName: 'dev-data-subnetgroup', VpcId: 'vpc-1' },
    DBParameterGroups: [{ DBParameterGroupName: 'dev-data-parameters' }],
    ...overrides,
  });
  const snapshot = (id: string, time: string, overrides: Partial<DBSnapshot> = {}): DBSnapshot => ({
    DBSnapshotIdentifier: id,
    DBInstanceIdentifier: SOURCE,
    SnapshotCreateTime: at(time),
    SnapshotType: 'manual',
    Status: 'available',
    EngineVersion: '17.6',
    ...overrides,
  });
  const snapshots = [
    snapshot('rds:daily', '2026-03-05T03:00:00Z', { SnapshotType: 'automated' }),
    snapshot('manual-newest', '2026-03-05T05:00:00Z'),
    snapshot('still-creating', '2026-03-05T06:00:00Z', { Status: 'creating' }),
    snapshot('other-instance', '2026-03-05T06:30:00Z', { DBInstanceIdentifier: 'someone-else' }),
    // Copied recently, but its data is from the day before.
    snapshot('old-copy', '2026-03-05T06:40:00Z', { OriginalSnapshotCreateTime: at('2026-03-04T03:00:00Z') }),
  ];
  const inputs: PlanInputs = {
    environment: 'dev',
    region: 'eu-west-1',
    prefix: 'learning-assistant-dev',
    tags: { Project: 'learning-assistant', Environment: 'dev' },
    instanceClass: 'db.t4g.micro',
    securityGroupId: SG,
    runId: 'run1',
    startedAt: at('2026-03-05T07:09:59Z'),
  };
  const planOf = (source: DBInstance, preference: 'auto' | 'pitr' | 'snapshot' = 'auto'): DrillPlan => {
    const choice = chooseRestorePoint(source, snapshots, preference);
    if ('problem' in choice) throw new Error(choice.problem);
    const planned = planDrill(source, choice.point, inputs);
    if ('problem' in planned) throw new Error(planned.problem);
    return planned.plan;
  };

  test('identifier: <prefix>-drill-<yyyymmddhhmm> in UTC', () => {
    expect(drillInstanceIdentifier('learning-assistant-prod', at('2026-03-05T07:09:59Z'))).toBe(
      'learning-assistant-prod-drill-202603050709',
    );
  });

  test('identifier: a long prefix is cut to 63 characters without a hyphen before the suffix', () => {
    const prefix = `${'a'.repeat(43)}-bcdef`;
    const id = drillInstanceIdentifier(prefix, at('2026-03-05T07:09:59Z'));
    expect(id).toHaveLength(62);
    expect(id).toBe(`${'a'.repeat(43)}-drill-202603050709`);
    expect(drillInstanceIdentifier('X'.repeat(80), new Date()).length).toBe(63);
    expect(drillInstanceIdentifier('X'.repeat(80), new Date())).toMatch(/^x+-drill-\d{12}$/);
  });

  test('auto prefers point-in-time restore to the latest restorable time', () => {
    expect(chooseRestorePoint(instance(), snapshots, 'auto')).toEqual({
      point: { kind: 'pitr', time: at('2026-03-05T06:55:00Z') },
    });
  });

  test('without automated backups, auto takes the newest available snapshot of the instance', () => {
    const choice = chooseRestorePoint(instance({ BackupRetentionPeriod: 0 }), snapshots, 'auto');
    expect(choice).toEqual({
      point: {
        kind: 'snapshot',
        snapshotId: 'manual-newest',
        snapshotType: 'manual',
        time: at('2026-03-05T05:00:00Z'),
        engineVersion: '17.6',
      },
    });
  });

  test('--point snapshot takes the newest snapshot even when point-in-time restore is possible', () => {
    const choice = chooseRestorePoint(instance(), snapshots, 'snapshot');
    expect('point' in choice && choice.point.kind === 'snapshot' && choice.point.snapshotId).toBe('manual-newest');
  });

  test('no snapshot and no point-in-time restore: a problem that says both and the fix', () => {
    const choice = chooseRestorePoint(instance({ BackupRetentionPeriod: 0 }), [snapshots[2] as DBSnapshot], 'auto');
    expect(choice).toEqual({
      problem:
        `${SOURCE} has no restorable point: point-in-time restore is off (backup retention 0 days), and it has no ` +
        'available snapshot (automated, manual or AWS Backup). Turn automated backups on ' +
        '(database.backupRetentionDays, 1 to 35) or take a snapshot (aws rds create-db-snapshot).',
    });
    expect(chooseRestorePoint(instance({ LatestRestorableTime: undefined }), [], 'pitr')).toEqual({
      problem: `${SOURCE}: point-in-time restore is unavailable (no latest restorable time yet)`,
    });
    expect(chooseRestorePoint(instance(), [], 'snapshot')).toEqual({
      problem: `${SOURCE}: it has no available snapshot (automated, manual or AWS Backup)`,
    });
  });

  test('the point-in-time request: isolated, single-AZ, disposable, tagged, at the read restorable time', () => {
    const plan = planOf(instance());
    expect(plan.pointAgeSeconds).toBe(14 * 60 + 59);
    expect(restoreRequest(plan)).toEqual<RestoreRequest>({
      kind: 'pitr',
      input: {
        SourceDBInstanceIdentifier: SOURCE,
        TargetDBInstanceIdentifier: 'learning-assistant-dev-drill-202603050709',
        RestoreTime: at('2026-03-05T06:55:00Z'),
        DBInstanceClass: 'db.t4g.micro',
        DBSubnetGroupName: 'dev-data-subnetgroup',
        VpcSecurityGroupIds: [SG],
        PubliclyAccessible: false,
        MultiAZ: false,
        DeletionProtection: false,
        BackupRetentionPeriod: 0,
        AutoMinorVersionUpgrade: false,
        CopyTagsToSnapshot: false,
        DBParameterGroupName: 'dev-data-parameters',
        Tags: [
          { Key: 'Project', Value: 'learning-assistant' },
          { Key: 'Environment', Value: 'dev' },
          { Key: 'purpose', Value: 'restore-drill' },
          { Key: 'restore-drill-run', Value: 'run1' },
          { Key: 'restore-drill-source', Value: SOURCE },
        ],
      },
    });
  });

  test('the snapshot request names the snapshot; an older major version drops the parameter group', () => {
    const request = restoreRequest(planOf(instance({ EngineVersion: '18.1' }), 'snapshot'));
    expect(request.kind).toBe('snapshot');
    expect(request.input).toMatchObject({
      DBSnapshotIdentifier: 'manual-newest',
      DBInstanceIdentifier: 'learning-assistant-dev-drill-202603050709',
      VpcSecurityGroupIds: [SG],
      MultiAZ: false,
      DeletionProtection: false,
    });
    expect(request.input.DBParameterGroupName).toBeUndefined();
    expect(restoreRequest(planOf(instance(), 'snapshot')).input.DBParameterGroupName).toBe('dev-data-parameters');
  });

  test('a source without a subnet group is not restored (it would land in the default VPC)', () => {
    const source = instance({ DBSubnetGroup: undefined });
    expect(planDrill(source, { kind: 'pitr', time: new Date() }, inputs)).toEqual({
      problem: `${SOURCE} has no DB subnet group: the drill restores only into the database's own VPC`,
    });
  });

  test('a plan without a security group (dry run) cannot become a request', () => {
    const plan = planOf(instance());
    expect(() => restoreRequest({ ...plan, securityGroupId: undefined })).toThrow(/isolated security group/);
  });

  test('RTO and RPO: met up to the target, missed one second after; an unmeasured restore misses the RTO', () => {
    expect(evaluateTargets(RTO_SECONDS, RPO_SECONDS)).toEqual({
      rto: { targetSeconds: 14400, measuredSeconds: 14400, met: true },
      rpo: { targetSeconds: 3600, measuredSeconds: 3600, met: true },
    });
    const missed = evaluateTargets(RTO_SECONDS + 1, RPO_SECONDS + 1);
    expect([missed.rto.met, missed.rpo.met]).toEqual([false, false]);
    expect(evaluateTargets(null, null)).toEqual({
      rto: { targetSeconds: 14400, measuredSeconds: null, met: false },
      rpo: { targetSeconds: 3600, measuredSeconds: null, met: null },
    });
    expect(outcomeOfRestored(evaluateTargets(60, 60))).toBe('passed');
    expect(outcomeOfRestored(evaluateTargets(60, RPO_SECONDS + 1))).toBe('targets-missed');
    expect(outcomeOfRestored(evaluateTargets(RTO_SECONDS + 1, 60))).toBe('targets-missed');
  });

  test('exit code: 0 only for a passed drill (or a plan) whose instance is gone', () => {
    const cleanup = (status: DrillReport['cleanup']['status']) => ({ deleted: false, status, detail: '' });
    expect(exitCodeOf({ outcome: 'passed', cleanup: cleanup('deletion-accepted') })).toBe(0);
    expect(exitCodeOf({ outcome: 'planned', cleanup: cleanup('dry-run') })).toBe(0);
    expect(exitCodeOf({ outcome: 'passed', cleanup: cleanup('not-deleted') })).toBe(1);
    expect(exitCodeOf({ outcome: 'targets-missed', cleanup: cleanup('deletion-accepted') })).toBe(1);
    expect(exitCodeOf({ outcome: 'failed', cleanup: cleanup('nothing-created') })).toBe(1);
  });

  test('polling backs off by half each time up to a minute, never below --poll', () => {
    expect([0, 1, 2, 3].map((attempt) => pollDelaySeconds(attempt, 30))).toEqual([30, 45, 60, 60]);
    expect(pollDelaySeconds(0, 1)).toBe(1);
    expect(pollDelaySeconds(20, 1)).toBe(60);
    expect(pollDelaySeconds(3, 120)).toBe(120);
  });

  test('statuses a restore does not recover from', () => {
    expect(['incompatible-restore', 'failed', 'deleting'].every(isFailedStatus)).toBe(true);
    expect(['creating', 'backing-up', 'modifying', 'available', undefined].some(isFailedStatus)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Clean-up edge cases against a stand-in RDS, in process
// ---------------------------------------------------------------------------------------------

/** A stand-in for RDS that records calls and fails as told. */
class FakeRds implements RdsApi {
  readonly calls: string[] = [];
  readonly instances = new Map<string, DBInstance>();
  /** Status of a restored instance on every describe. */
  restoredStatus = 'available';
  restoreError: Error | undefined;
  /** Whether a failed restore still created the instance (an answer lost on the way back). */
  restoreCreatesDespiteError = false;
  /** Thrown by the next deletes, in order. */
  deleteErrors: Error[] = [];
  onDescribeTarget: (() => void) | undefined;

  constructor() {
    this.instances.set(SOURCE, {
      DBInstanceIdentifier: SOURCE,
      DBInstanceStatus: 'available',
      BackupRetentionPeriod: 7,
      LatestRestorableTime: new Date(Date.now() - 120_000),
      EngineVersion: '17.6',
      DBSubnetGroup: { DBSubnetGroupName: 'subnets', VpcId: 'vpc-1' },
    });
  }

  async describeInstance(id: string) {
    this.calls.push(`describe ${id}`);
    if (id !== SOURCE) this.onDescribeTarget?.();
    return this.instances.get(id);
  }
  async describeSnapshots() {
    this.calls.push('snapshots');
    return [];
  }
  async restore(request: RestoreRequest) {
    const input = request.input as { TargetDBInstanceIdentifier?: string; DBInstanceIdentifier?: string };
    const id = (input.TargetDBInstanceIdentifier ?? input.DBInstanceIdentifier) as string;
    this.calls.push(`restore ${id}`);
    if (this.restoreError === undefined || this.restoreCreatesDespiteError) {
      this.instances.set(id, {
        DBInstanceIdentifier: id,
        DBInstanceStatus: this.restoredStatus,
        TagList: [...(request.input.Tags ?? [])],
      });
    }
    if (this.restoreError !== undefined) throw this.restoreError;
  }
  async deleteInstance(id: string) {
    this.calls.push(`delete ${id}`);
    const error = this.deleteErrors.shift();
    if (error !== undefined) throw error;
    this.instances.delete(id);
  }
  async disableDeletionProtection(id: string) {
    this.calls.push(`unprotect ${id}`);
  }
  close() {}
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

async function runInProcess(fake: FakeRds, argv: string[] = [], signals = new EventEmitter()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await restoreDrill(
    ['--env', 'dev', '--json', '--isolated-security-group', SG, '--poll', '1s', ...argv],
    {},
    { out: (text) => out.push(text), err: (text) => err.push(text) },
    { rds: () => fake, signals, runId: 'run1' },
  );
  return { code, report: JSON.parse(out.join('\n')) as DrillReport, err: err.join('\n') };
}

describe('restore-drill clean-up (stand-in RDS)', () => {
  test('an instance of the same name from another run is left alone (restore refused: already exists)', async () => {
    const fake = new FakeRds();
    const target = drillInstanceIdentifier('learning-assistant-dev', new Date());
    fake.instances.set(target, {
      DBInstanceIdentifier: target,
      TagList: [{ Key: 'restore-drill-run', Value: 'other' }],
    });
    fake.restoreError = awsError('DBInstanceAlreadyExistsFault', 'DB instance already exists');
    const { code, report } = await runInProcess(fake);
    expect(code).toBe(1);
    expect(report.outcome).toBe('failed');
    expect(report.problems).toEqual([
      'the restore was refused: DBInstanceAlreadyExistsFault: DB instance already exists',
    ]);
    expect(report.cleanup).toMatchObject({ deleted: false, status: 'nothing-created' });
    expect(report.cleanup.detail).toContain('this run did not create it');
    expect(fake.calls.some((call) => call.startsWith('delete'))).toBe(false);
    expect(fake.instances.has(target)).toBe(true);
  });

  test('a restore whose answer was lost but which created the instance: found by its run tag and deleted', async () => {
    const fake = new FakeRds();
    fake.restoreError = awsError('TimeoutError', 'socket hang up');
    fake.restoreCreatesDespiteError = true;
    const { code, report } = await runInProcess(fake);
    expect(code).toBe(1);
    expect(report.cleanup).toMatchObject({ deleted: true, status: 'deletion-accepted' });
    expect(fake.instances.size).toBe(1);
  });

  test('a signal while the restore call is in flight: the call completes, then the instance is deleted', async () => {
    const fake = new FakeRds();
    const signals = new EventEmitter();
    const restore = fake.restore.bind(fake);
    fake.restore = async (request) => {
      signals.emit('SIGINT', 'SIGINT');
      await restore(request);
    };
    const { code, report } = await runInProcess(fake, [], signals);
    expect(code).toBe(1);
    expect(report.outcome).toBe('interrupted');
    expect(fake.calls.slice(-2)).toEqual([`restore ${report.target?.instance}`, `delete ${report.target?.instance}`]);
    expect(fake.instances.size).toBe(1);
  });

  test('a deletion refused for the instance state is retried until RDS accepts it', async () => {
    const fake = new FakeRds();
    fake.deleteErrors.push(awsError('InvalidDBInstanceStateFault', 'Instance is not in available state'));
    const { code, report, err } = await runInProcess(fake);
    expect(code).toBe(0);
    expect(fake.calls.filter((call) => call.startsWith('delete'))).toHaveLength(2);
    expect(err).toContain('cannot be deleted yet (InvalidDBInstanceStateFault: Instance is not in available state)');
    expect(report.cleanup.deleted).toBe(true);
  });

  test('a deletion refused otherwise: exit 1 with the command to delete by hand', async () => {
    const fake = new FakeRds();
    fake.deleteErrors.push(awsError('AccessDenied', 'not authorized to perform rds:DeleteDBInstance'));
    const { code, report } = await runInProcess(fake);
    expect(code).toBe(1);
    expect(report.outcome).toBe('passed');
    expect(report.cleanup).toMatchObject({ deleted: false, status: 'not-deleted' });
    expect(report.cleanup.detail).toMatch(
      /was NOT deleted \(AccessDenied: not authorized.*\); delete it with: aws rds delete-db-instance --region eu-west-1 --db-instance-identifier learning-assistant-dev-drill-\d{12} --skip-final-snapshot --delete-automated-backups/,
    );
  });

  test('a restore that fails (incompatible-restore) stops the wait at once and is deleted', async () => {
    const fake = new FakeRds();
    fake.restoredStatus = 'incompatible-restore';
    const { code, report } = await runInProcess(fake, ['--timeout', '30s']);
    expect(code).toBe(1);
    expect(report.outcome).toBe('failed');
    expect(report.problems[0]).toMatch(
      /is incompatible-restore: the restore failed; its events: aws rds describe-events/,
    );
    expect(report.cleanup.deleted).toBe(true);
  });

  test('a signal during the wait stops it and deletes the instance; the handlers are removed after', async () => {
    const fake = new FakeRds();
    fake.restoredStatus = 'creating';
    const signals = new EventEmitter();
    fake.onDescribeTarget = () => setImmediate(() => signals.emit('SIGTERM', 'SIGTERM'));
    // A short timeout: without working handlers the drill ends (timed out) instead of waiting an hour.
    const { code, report, err } = await runInProcess(fake, ['--timeout', '5s'], signals);
    expect(code).toBe(1);
    expect(report.outcome).toBe('interrupted');
    expect(report.problems).toEqual(['interrupted by SIGTERM']);
    expect(report.cleanup.deleted).toBe(true);
    expect(err).toContain('Received SIGTERM: stopping the drill and deleting what it created.');
    expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((signal) => signals.listenerCount(signal))).toEqual([0, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------
// The command as a child process against moto_server
// ---------------------------------------------------------------------------------------------

/** Runs bin/restore-drill.ts; `onStderr` sees stderr so far and may signal the child. */
const runDrill = (args: string[], onStderr?: (stderr: string, kill: (signal: NodeJS.Signals) => void) => void) =>
  runCommand('restore-drill.ts', args, {}, onStderr);

describe('restore-drill against moto_server', () => {
  let moto: Moto;
  let proxy: RdsProxy;
  let isolatedGroup: string;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startRdsProxy(moto.endpoint);
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    proxy.calls.length = 0;
    proxy.holdStatus(undefined);
  });

  /** The dev primary as the Data stack makes it: in a subnet group of a VPC, with automated backups. */
  async function seedSource(options: { backupRetentionDays?: number; deletionProtection?: boolean } = {}) {
    const subnetsXml = await moto.ec2('DescribeSubnets');
    const subnets = [...subnetsXml.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((match) => match[1] as string);
    const vpc = /<vpcId>([^<]+)<\/vpcId>/.exec(subnetsXml)?.[1] as string;
    const group = await moto.ec2('CreateSecurityGroup', {
      GroupName: 'restore-drill-isolated',
      GroupDescription: 'no ingress',
      VpcId: vpc,
    });
    isolatedGroup = /<groupId>([^<]+)<\/groupId>/.exec(group)?.[1] as string;
    await moto.rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: 'dev-data-subnetgroup',
        DBSubnetGroupDescription: 'database subnets',
        SubnetIds: subnets.slice(0, 2),
      }),
    );
    await moto.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: SOURCE,
        Engine: 'postgres',
        EngineVersion: '17.6',
        DBInstanceClass: 'db.m7g.large',
        AllocatedStorage: 20,
        MasterUsername: 'postgres',
        MasterUserPassword: 'not-a-secret-1',
        DBSubnetGroupName: 'dev-data-subnetgroup',
        BackupRetentionPeriod: options.backupRetentionDays ?? 7,
        DeletionProtection: options.deletionProtection ?? false,
        MultiAZ: true,
        StorageEncrypted: true,
      }),
    );
  }

  async function instances(): Promise<string[]> {
    const result = await moto.rds.send(new DescribeDBInstancesCommand({}));
    return (result.DBInstances ?? []).map((db) => `${db.DBInstanceIdentifier} ${db.DBInstanceStatus}`);
  }
  /** What moto has left of the drill: nothing, or an instance being deleted. */
  async function drillLeftovers(): Promise<string[]> {
    return (await instances()).filter(
      (line) => DRILL_ID.test(line.split(' ')[0] as string) && !/ deleting$/.test(line),
    );
  }
  const actions = () => proxy.calls.map((call) => call.action);
  const callOf = (action: string) => proxy.calls.find((call) => call.action === action)?.params ?? {};
  const drill = (...args: string[]) => ['--env', 'dev', '--endpoint-url', proxy.endpoint, '--poll', '1s', ...args];

  test('happy path: point-in-time restore, isolated, measured against RTO and RPO, then deleted', async () => {
    await seedSource();
    const result = await runDrill(drill('--json', '--isolated-security-group', isolatedGroup));
    expect(result.stderr).not.toContain('Error');
    expect(result.code).toBe(0);
    // stdout holds the report and nothing else.
    const report = JSON.parse(result.stdout) as DrillReport;
    expect(report).toMatchObject({
      env: 'dev',
      region: 'eu-west-1',
      dryRun: false,
      source: { instance: SOURCE },
      point: { kind: 'pitr', id: null },
      target: { instanceClass: 'db.t4g.micro', subnetGroup: 'dev-data-subnetgroup', securityGroup: isolatedGroup },
      rto: { targetSeconds: RTO_SECONDS, met: true },
      rpo: { targetSeconds: RPO_SECONDS, met: true },
      cleanup: { deleted: true, status: 'deletion-accepted' },
      outcome: 'passed',
      problems: [],
    });
    expect(report.target?.instance).toMatch(DRILL_ID);
    expect(report.point?.ageSeconds).toBeLessThan(60);
    expect(report.timings.restoreSeconds).toEqual(expect.any(Number));
    expect(result.stderr).toMatch(/restore-drill: 0:00:0\d elapsed, learning-assistant-dev-drill-\d{12} is available/);

    expect(actions()).toEqual([
      'DescribeDBInstances',
      'DescribeDBSnapshots',
      'DescribeDBSnapshots',
      'RestoreDBInstanceToPointInTime',
      'DescribeDBInstances',
      'DeleteDBInstance',
    ]);
    expect(callOf('RestoreDBInstanceToPointInTime')).toMatchObject({
      SourceDBInstanceIdentifier: SOURCE,
      TargetDBInstanceIdentifier: report.target?.instance,
      DBInstanceClass: 'db.t4g.micro',
      DBSubnetGroupName: 'dev-data-subnetgroup',
      'VpcSecurityGroupIds.VpcSecurityGroupId.1': isolatedGroup,
      PubliclyAccessible: 'false',
      MultiAZ: 'false',
      DeletionProtection: 'false',
      BackupRetentionPeriod: '0',
      'Tags.Tag.5.Key': 'purpose',
      'Tags.Tag.5.Value': 'restore-drill',
    });
    const restoreTime = callOf('RestoreDBInstanceToPointInTime').RestoreTime as string;
    expect(new Date(restoreTime).toISOString()).toBe(report.point?.time);
    expect(callOf('RestoreDBInstanceToPointInTime')['VpcSecurityGroupIds.VpcSecurityGroupId.2']).toBeUndefined();
    expect(callOf('DeleteDBInstance')).toMatchObject({
      DBInstanceIdentifier: report.target?.instance,
      SkipFinalSnapshot: 'true',
      DeleteAutomatedBackups: 'true',
    });
    expect(await drillLeftovers()).toEqual([]);
    expect(await instances()).toEqual([`${SOURCE} available`]);
  });

  test('--point snapshot restores the newest snapshot; a protected copy is unprotected, then deleted', async () => {
    // moto copies the source's deletion protection to the restored instance, ignoring DeletionProtection=false.
    await seedSource({ deletionProtection: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await moto.rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: SOURCE, DBSnapshotIdentifier: 'before-drill' }),
    );
    const result = await runDrill(drill('--json', '--point', 'snapshot', '--isolated-security-group', isolatedGroup));
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DrillReport;
    expect(report.point).toMatchObject({ kind: 'snapshot', id: 'before-drill' });
    expect(callOf('RestoreDBInstanceFromDBSnapshot')).toMatchObject({
      DBSnapshotIdentifier: 'before-drill',
      DBInstanceIdentifier: report.target?.instance,
      MultiAZ: 'false',
    });
    expect(actions().slice(-3)).toEqual(['DeleteDBInstance', 'ModifyDBInstance', 'DeleteDBInstance']);
    expect(callOf('ModifyDBInstance')).toMatchObject({ DeletionProtection: 'false', ApplyImmediately: 'true' });
    expect(await drillLeftovers()).toEqual([]);
  });

  test('no snapshot and no point-in-time restore: a clear error, exit 1, nothing created', async () => {
    await seedSource({ backupRetentionDays: 0 });
    // moto takes an automated snapshot even with retention 0, which RDS does not.
    const automated = await moto.rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: SOURCE }));
    for (const snapshot of automated.DBSnapshots ?? []) {
      await moto.rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshot.DBSnapshotIdentifier }));
    }
    const result = await runDrill(drill('--json', '--isolated-security-group', isolatedGroup));
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DrillReport;
    expect(report.outcome).toBe('failed');
    expect(report.problems).toEqual([expect.stringContaining(`${SOURCE} has no restorable point`)]);
    expect(report.cleanup).toMatchObject({ deleted: false, status: 'nothing-created' });
    expect(result.stderr).not.toMatch(/Restoring/);
    expect(actions()).toEqual(['DescribeDBInstances', 'DescribeDBSnapshots', 'DescribeDBSnapshots']);
    expect(await instances()).toEqual([`${SOURCE} available`]);
  });

  test('no primary in the region: a clear error, exit 1, nothing created', async () => {
    const result = await runDrill(drill('--isolated-security-group', SG));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Restore drill of dev: FAILED');
    expect(result.stdout).toContain(
      `no DB instance ${SOURCE} in eu-west-1: is the Data stack deployed there? (--region for another region)`,
    );
    expect(actions()).toEqual(['DescribeDBInstances']);
  });

  test('a restore that never becomes available: timed out after --timeout, then deleted', async () => {
    await seedSource();
    // RDS keeps a restore `creating` for minutes; moto makes it available at once, so the proxy reports `creating`.
    proxy.holdStatus(DRILL_ID);
    const result = await runDrill(drill('--json', '--timeout', '2s', '--isolated-security-group', isolatedGroup));
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DrillReport;
    expect(report).toMatchObject({
      outcome: 'timed-out',
      timings: { restoreSeconds: null },
      rto: { measuredSeconds: null, met: false },
      cleanup: { deleted: true, status: 'deletion-accepted' },
    });
    expect(report.problems).toEqual([`${report.target?.instance} was not available after 0:00:02 (--timeout)`]);
    expect(result.stderr.match(/ is creating$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(actions().at(-1)).toBe('DeleteDBInstance');
    expect(await drillLeftovers()).toEqual([]);
  });

  test.each(['SIGINT', 'SIGTERM'] as const)('%s during the wait: the instance is deleted, exit 1', async (signal) => {
    await seedSource();
    proxy.holdStatus(DRILL_ID);
    let sent = false;
    const result = await runDrill(
      drill('--json', '--timeout', '10m', '--isolated-security-group', isolatedGroup),
      (stderr, kill) => {
        if (!sent && / is creating$/m.test(stderr)) {
          sent = true;
          kill(signal);
        }
      },
    );
    expect(sent).toBe(true);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DrillReport;
    expect(report.outcome).toBe('interrupted');
    expect(report.problems).toEqual([`interrupted by ${signal}`]);
    expect(report.cleanup).toMatchObject({ deleted: true, status: 'deletion-accepted' });
    expect(result.stderr).toContain(`Received ${signal}: stopping the drill and deleting what it created.`);
    expect(callOf('DeleteDBInstance').DBInstanceIdentifier).toBe(report.target?.instance);
    expect(await drillLeftovers()).toEqual([]);
    expect(await instances()).toEqual([`${SOURCE} available`]);
  });

  test('--dry-run prints the plan and makes no mutating call', async () => {
    await seedSource();
    const result = await runDrill(drill('--dry-run'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan (dry run: nothing is created):');
    expect(result.stdout).toMatch(/ {2}target {10}learning-assistant-dev-drill-\d{12}/);
    expect(result.stdout).toContain('security group  (none given: --isolated-security-group is required to run)');
    expect(result.stdout).toContain('Restore drill of dev: PLANNED');
    expect(actions().every((action) => action.startsWith('Describe'))).toBe(true);
    expect(await instances()).toEqual([`${SOURCE} available`]);
  });

  test.each([
    [[], '--env is required: one of dev, staging, prod'],
    [['--env', 'qa'], '--env qa: not an environment'],
    [['--env', 'dev', '--timeout', '90'], '--timeout 90: not a duration'],
    [['--env', 'dev'], '--isolated-security-group is required'],
  ])('bad arguments %j: exit 2, a clear message, no call at all', async (args, message) => {
    await seedSource();
    const result = await runDrill([...args, '--endpoint-url', proxy.endpoint]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Exit codes:');
    expect(actions()).toEqual([]);
    expect(await instances()).toEqual([`${SOURCE} available`]);
  });
});
