import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { environments } from '../../config';
import { environmentConfigSchema } from '../../config/schema';
import { firstDeployPlan, recoverySteps } from '../../lib/operations/first-deploy';
import { firstDeploy } from '../../lib/operations/run-first-deploy';

const FAKE_CDK = `node ${path.join(__dirname, 'fake-cdk.mjs')}`;

function run(argv: string[], env: Record<string, string> = {}) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = firstDeploy(argv, env, { log: (line) => lines.push(line), error: (line) => errors.push(line) });
  return { code, out: lines.join('\n'), err: errors.join('\n') };
}

const config = (name: 'dev' | 'staging' | 'prod') => environmentConfigSchema.parse(environments[name]);

describe('first-deploy plan', () => {
  test('prod: bootstrap three regions, network and registry, push the image, then DR, data, standby, compute, edge', () => {
    const plan = firstDeployPlan(config('prod'), { stageId: 'Prod' });
    expect(plan.map((step) => step.title)).toEqual([
      'bootstrap eu-west-1 and us-east-1 and eu-central-1 in account 333333333333',
      'create Prod-Network (eu-west-1)',
      'create Prod-Registry (eu-west-1)',
      'log in to 333333333333.dkr.ecr.eu-west-1.amazonaws.com',
      "build and push 333333333333.dkr.ecr.eu-west-1.amazonaws.com/learning-assistant/prod/web:0.1.0 (linux/arm64, the tasks' platform)",
      'create Prod-Dr (eu-central-1)',
      'create Prod-Data (eu-west-1)',
      'create Prod-Standby (eu-central-1)',
      'create Prod-Compute (eu-west-1)',
      'create Prod-Edge (us-east-1)',
      'create Prod-Monitoring (eu-west-1)',
    ]);
    for (const step of plan.filter((s) => s.stack !== undefined)) {
      expect(step.argv).toEqual(
        expect.arrayContaining(['deploy', step.stack!.selector, '--no-rollback', '--exclusively']),
      );
      expect(step.argv.join(' ')).toContain('-c env=prod -c imageTag=0.1.0');
    }
  });

  test('an --image-tag replaces the configured tag everywhere', () => {
    const plan = firstDeployPlan(config('staging'), { stageId: 'Staging', imageTag: 'abc123' });
    expect(plan.map((s) => s.argv.join(' ')).join('\n')).not.toContain('0.1.0');
    expect(plan.find((s) => s.title.startsWith('build and push'))?.argv).toContain(
      '222222222222.dkr.ecr.eu-west-1.amazonaws.com/learning-assistant/staging/web:abc123',
    );
  });

  test('dev builds its image as a CDK asset: no push step', () => {
    const titles = firstDeployPlan(config('dev'), { stageId: 'Dev' }).map((s) => s.title);
    expect(titles.some((title) => title.includes('push'))).toBe(false);
    expect(titles).toHaveLength(7);
  });

  test('recovery names the protected resources of staging and prod, and none in dev', () => {
    const compute = (name: 'dev' | 'prod', stageId: string) =>
      firstDeployPlan(config(name), { stageId }).find((s) => s.stack?.stackName === `${stageId}-Compute`)!.stack!;
    const prod = recoverySteps(compute('prod', 'Prod')).join('\n');
    expect(prod).toContain('deletion_protection.enabled,Value=false');
    expect(prod).toContain('aws cloudformation delete-stack --region eu-west-1 --stack-name Prod-Compute');
    // Rolling the create back removes what it made, RetainExceptOnCreate resources included.
    expect(prod).toContain('aws cloudformation rollback-stack --region eu-west-1 --stack-name Prod-Compute');
    expect(prod.indexOf('deletion_protection')).toBeLessThan(prod.indexOf('rollback-stack'));
    const data = firstDeployPlan(config('prod'), { stageId: 'Prod' }).find((s) => s.stack?.stackName === 'Prod-Data')!;
    expect(recoverySteps(data.stack!).join('\n')).toContain('--no-deletion-protection');
    const standby = firstDeployPlan(config('prod'), { stageId: 'Prod' }).find(
      (s) => s.stack?.stackName === 'Prod-Standby',
    )!;
    expect(recoverySteps(standby.stack!).join('\n')).toContain(
      'aws rds modify-db-instance --region eu-central-1 --db-instance-identifier learning-assistant-prod-standby --no-deletion-protection',
    );
    expect(recoverySteps(compute('dev', 'Dev')).join('\n')).not.toContain('deletion_protection');
  });
});

describe('first-deploy command', () => {
  let log: string;
  beforeEach(() => {
    log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'first-deploy-')), 'calls.log');
    fs.writeFileSync(log, '');
  });
  const calls = () => fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);

  test('--dry-run prints every step and runs nothing', () => {
    const result = run(['--env', 'prod', '--dry-run', '--cdk', FAKE_CDK], { FAKE_CDK_LOG: log });
    expect(result.code).toBe(0);
    expect(result.out).toContain('First deploy of prod: 11 steps (dry run: nothing is run)');
    expect(result.out).toContain('[11/11] create Prod-Monitoring (eu-west-1)');
    expect(calls()).toEqual([]);
  });

  test('runs every step in order and ends with what to check', () => {
    const result = run(['--env', 'dev', '--cdk', FAKE_CDK], { FAKE_CDK_LOG: log });
    expect(result.code).toBe(0);
    expect(calls().map((call) => call.split(' ').slice(0, 2).join(' '))).toEqual([
      'bootstrap aws://111111111111/eu-west-1',
      'deploy Dev/Network',
      'deploy Dev/Registry',
      'deploy Dev/Data',
      'deploy Dev/Compute',
      'deploy Dev/Edge',
      'deploy Dev/Monitoring',
    ]);
    expect(result.out).toContain('Then check:');
  });

  test('stops at the first failing stack and says how to recover', () => {
    const result = run(['--env', 'dev', '--cdk', FAKE_CDK], { FAKE_CDK_LOG: log, FAKE_CDK_FAIL_ON: 'Dev/Data' });
    expect(result.code).toBe(1);
    expect(calls().at(-1)).toMatch(/^deploy Dev\/Data /);
    expect(result.err).toContain('[4/7] failed after');
    expect(result.err).toContain('(exit 3): create Dev-Data (eu-west-1)');
    expect(result.err).toContain('Dev-Data stopped in CREATE_FAILED and kept what it created (--no-rollback).');
  });

  test.each([
    [[], 'no --env: expected --env with one of dev, staging, prod'],
    [['--env', 'qa'], '--env qa: expected --env with one of dev, staging, prod'],
    [['--env', 'prod', '--force'], "Unknown option '--force'"],
    [['--env', 'prod', '--image-tag', 'bad tag!'], '--image-tag bad tag!: not a valid image tag'],
  ])('bad arguments %j: exit 2, a clear message, nothing run', (argv, message) => {
    const result = run([...argv, '--cdk', FAKE_CDK], { FAKE_CDK_LOG: log });
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(calls()).toEqual([]);
  });

  test('bad configuration from an override: exit 2 with the config message, nothing run', () => {
    const result = run(['--env', 'prod', '--cdk', FAKE_CDK], { FAKE_CDK_LOG: log, LA_PROD_ACCOUNT: '12' });
    expect(result.code).toBe(2);
    expect(result.err).toContain('prod');
    expect(result.err).toContain('account');
    expect(calls()).toEqual([]);
  });
});
