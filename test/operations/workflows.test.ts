import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOWS = path.join(ROOT, '.github/workflows');
const CHECKER = path.join(ROOT, 'scripts/check-workflows.mjs');

function check(...dirs: string[]) {
  const run = spawnSync(process.execPath, [CHECKER, ...dirs], { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The checker's report on `dir` alone, out of a run over several directories. */
function reportOn(stderr: string, dir: string): string {
  const blocks = stderr.split(/^(?=check-workflows: )/m);
  return blocks.find((block) => block.startsWith(`check-workflows: `) && block.includes(` in ${dir}:\n`)) ?? '';
}

/** A copy of the real workflows with `edit` applied to one file's text. */
function brokenCopy(file: string, edit: (text: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workflows-'));
  for (const name of fs.readdirSync(WORKFLOWS)) {
    fs.copyFileSync(path.join(WORKFLOWS, name), path.join(dir, name));
  }
  const target = path.join(dir, file);
  const before = fs.readFileSync(target, 'utf8');
  const after = edit(before);
  // Every case must change something, or it would pass for the wrong reason.
  expect(after).not.toEqual(before);
  fs.writeFileSync(target, after);
  return dir;
}

const read = (file: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8'));

describe('the workflow checker', () => {
  test('passes the real workflows', () => {
    const result = check(WORKFLOWS);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/3 workflow\(s\) .* pass actionlint, bash -n and the policy/);
  });

  const cases: Array<[string, string, (text: string) => string, RegExp]> = [
    [
      'an expression reading an unknown property (actionlint)',
      'pull-request.yml',
      (t) => t.replace('${{ github.base_ref }}', '${{ github.base_reff }}'),
      /pull-request\.yml:\d+: property "base_reff" is not defined .*\[actionlint expression\]/,
    ],
    [
      'a YAML syntax error (actionlint)',
      'main.yml',
      (t) => t.replace('jobs:\n', 'jobs:\n  broken: [\n'),
      /main\.yml:\d+: .*\[actionlint syntax-check\]/,
    ],
    [
      'a job needing a job that does not exist (actionlint)',
      'main.yml',
      (t) => t.replace('needs: deploy-staging', 'needs: deploy-stagin'),
      /main\.yml:\d+: job "deploy-prod" needs job "deploy-stagin" which does not exist/,
    ],
    [
      'an action pinned to a tag',
      'main.yml',
      (t) => t.replace(/actions\/setup-python@[0-9a-f]{40} # v7\.0\.0/, 'actions/setup-python@v7'),
      /main\.yml:\d+: actions\/setup-python@v7: pin actions\/setup-python to a full 40-character commit SHA/,
    ],
    [
      'a pinned action without its version comment',
      'main.yml',
      (t) => t.replace(/(actions\/setup-python@[0-9a-f]{40}) # v7\.0\.0/, '$1'),
      /main\.yml:\d+: actions\/setup-python@[0-9a-f]{40}: add the version the SHA is, as a comment/,
    ],
    [
      'an action nobody reviewed',
      'main.yml',
      (t) =>
        t.replace(
          /docker\/setup-buildx-action@[0-9a-f]{40} # v4\.3\.0/,
          'someone/setup-buildx@0123456789abcdef0123456789abcdef01234567 # v1.0.0',
        ),
      /someone\/setup-buildx is not a reviewed action/,
    ],
    [
      'an input the action does not have',
      'pull-request.yml',
      (t) => t.replace('fetch-depth: 0', 'fetch-dept: 0'),
      /pull-request\.yml:\d+: actions\/checkout has no input "fetch-dept"/,
    ],
    [
      'a checkout that keeps its token in .git/config',
      'main.yml',
      (t) => t.replace('persist-credentials: false', 'persist-credentials: true'),
      /actions\/checkout: set persist-credentials: false/,
    ],
    [
      'a job without explicit permissions',
      'pull-request.yml',
      (t) => t.replace('    permissions:\n      pull-requests: write\n', ''),
      /pull-request\.yml:\d+: job comment has no explicit permissions/,
    ],
    [
      'a write scope beyond id-token and pull-requests',
      'pull-request.yml',
      (t) => t.replace('      pull-requests: write\n', '      pull-requests: write\n      contents: write\n'),
      /contents: write is more than these workflows need/,
    ],
    [
      'id-token: write on a job that configures no AWS credentials',
      'main.yml',
      (t) => t.replace(/(build-image:[\s\S]*?permissions:\n\s+contents: read\n)/, '$1      id-token: write\n'),
      /job build-image may request OIDC tokens \(id-token: write\) but configures no AWS credentials/,
    ],
    [
      'long-lived AWS keys',
      'deploy.yml',
      (t) =>
        t.replace(
          /role-to-assume: \$\{\{ vars\.AWS_DEPLOY_ROLE_ARN \}\}/,
          'aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}',
        ),
      /deploy\.yml:(\d+): aws-access-key-id: long-lived keys are not allowed[\s\S]*deploy\.yml:\1: long-lived AWS keys/,
    ],
    [
      'a deployment that cancels the running one',
      'deploy.yml',
      (t) => t.replace('cancel-in-progress: false', 'cancel-in-progress: true'),
      /deploy\.yml:\d+: job deploy: set concurrency.cancel-in-progress: false/,
    ],
    [
      'a deployment without its environment',
      'deploy.yml',
      (t) => t.replace(/ {4}environment:\n {6}name: \$\{\{ inputs\.environment \}\}\n/, ''),
      /job deploy runs cdk deploy without an environment/,
    ],
    [
      'a reusable workflow called with a misspelled input',
      'main.yml',
      (t) => t.replace('      environment: prod\n', '      enviroment: prod\n'),
      /main\.yml:\d+: deploy\.yml has no input "enviroment"[\s\S]*job deploy-prod does not give deploy\.yml its required input "environment"/,
    ],
    [
      'a reusable workflow called without the permissions it needs',
      'main.yml',
      (t) =>
        t.replace(
          /(deploy-staging:\n\s+needs: deploy-dev\n\s+permissions:\n\s+contents: read\n)\s+id-token: write\n/,
          '$1',
        ),
      /job deploy-staging grants id-token: none, but deploy\.yml's job deploy needs id-token: write/,
    ],
    [
      'a run script bash cannot parse',
      'pull-request.yml',
      (t) => t.replace('esac\n', '\n'),
      /pull-request\.yml:\d+: bash syntax error in the run script/,
    ],
    [
      'pull_request_target',
      'pull-request.yml',
      (t) => t.replace('on:\n  pull_request:\n', 'on:\n  pull_request_target:\n'),
      /pull_request_target runs with write access and secrets on code from forks/,
    ],
  ];

  // One run over every broken copy: the checker loads actionlint's WebAssembly once.
  let broken: { dirs: string[]; result: ReturnType<typeof check> };
  beforeAll(() => {
    const dirs = cases.map(([, file, edit]) => brokenCopy(file, edit));
    broken = { dirs, result: check(...dirs) };
  });

  test.each(cases.map((c, index) => [...c, index] as const))('fails on %s', (_name, _file, _edit, message, index) => {
    expect(broken.result.status).toBe(1);
    const report = reportOn(broken.result.stderr, broken.dirs[index]!);
    expect(report).toMatch(/^check-workflows: \d+ problem\(s\) in /);
    expect(report).toMatch(message);
  });

  test('refuses a directory without workflows, and a missing one', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'workflows-'));
    expect(check(empty)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('no workflow file (*.yml) to check'),
    });
    expect(check(path.join(empty, 'missing'))).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('is not a directory'),
    });
  });
});

describe('the pipeline', () => {
  test('pull requests run .ci/run, diff against the base branch and post one comment', () => {
    const pr = read('pull-request.yml');
    expect(Object.keys(pr.on)).toEqual(['pull_request']);
    // An edited description (a diff-allow line) runs the checks again.
    expect(pr.on.pull_request.types).toEqual(['opened', 'synchronize', 'reopened', 'edited']);
    expect(pr.jobs.ci.steps.map((s: { run?: string }) => s.run)).toContain('bash .ci/run');
    const diff = pr.jobs['offline-diff'].steps.find((s: { id?: string }) => s.id === 'diff');
    expect(diff.run).toContain(
      'npm run diff -- --base "origin/$BASE_REF" "${allow[@]}" --format markdown --output offline-diff.md',
    );
    // The description reaches the script through the environment, never as expression text.
    expect(diff.env.PR_BODY).toBe('${{ github.event.pull_request.body }}');
    expect(diff.run).not.toContain('github.event');
    expect(pr.jobs['offline-diff'].steps[0].with['fetch-depth']).toBe(0);
    expect(pr.jobs.comment.needs).toEqual(['offline-diff', 'deployed-diff']);
    const script = pr.jobs.comment.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/github-script@'));
    expect(script.with.script).toContain("const MARKER = '<!-- learning-assistant-diff -->'");
    expect(script.with.script).toContain('github.rest.issues.updateComment');
    // cdk diff against deployed stacks: read-only and only where a diff role is configured.
    const deployed = pr.jobs['deployed-diff'];
    expect(deployed.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(deployed.steps.find((s: { run?: string }) => s.run?.includes('cdk diff')).run).toContain('--no-change-set');
  });

  test('main builds the image once, then deploys dev, staging and prod in order, each through deploy.yml', () => {
    const main = read('main.yml');
    expect(main.on.push).toEqual({ branches: ['main'] });
    expect(main.jobs['build-image'].needs).toBe('ci');
    const order = ['dev', 'staging', 'prod'].map((environment) => {
      const [id, job] = Object.entries(main.jobs as Record<string, any>).find(
        ([, j]) => j.with?.environment === environment,
      )!;
      expect(job.uses).toBe('./.github/workflows/deploy.yml');
      expect(job.with['image-tag']).toBe('${{ github.sha }}');
      return [id, job.needs];
    });
    expect(order).toEqual([
      ['deploy-dev', 'build-image'],
      ['deploy-staging', 'deploy-dev'],
      ['deploy-prod', 'deploy-staging'],
    ]);
  });

  test('a deployment runs preflight, cdk deploy with the commit as image tag, then verify-deployment', () => {
    const deploy = read('deploy.yml').jobs.deploy;
    expect(deploy.environment).toEqual({ name: '${{ inputs.environment }}' });
    expect(deploy.concurrency).toEqual({ group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
    const runs: string[] = deploy.steps.map((s: { run?: string }) => s.run ?? '');
    const at = (text: string) => runs.findIndex((r) => r.includes(text));
    expect(at('npm run preflight -- --env "$ENVIRONMENT" --image-tag "$IMAGE_TAG"')).toBeGreaterThan(at('docker push'));
    expect(
      at('npx cdk deploy "$STAGE/*" -c "env=$ENVIRONMENT" -c "imageTag=$IMAGE_TAG" --require-approval never'),
    ).toBeGreaterThan(at('npm run preflight'));
    expect(at('npm run verify-deployment -- "${args[@]}"')).toBe(runs.length - 1);
    const verify = deploy.steps[runs.length - 1];
    expect(verify.run).toContain('args=(--env "$ENVIRONMENT" --wait 20m --since "$SINCE")');
    expect(verify.env.SINCE).toBe('${{ steps.deploy.outputs.started }}');
    // Chained bootstrap roles older than template v22 refuse session tags.
    const chained = deploy.steps.filter((s: { with?: Record<string, unknown> }) => s.with?.['role-chaining'] === true);
    expect(chained.length).toBeGreaterThan(0);
    expect(chained.every((s: { with: Record<string, unknown> }) => s.with['role-skip-session-tagging'] === true)).toBe(
      true,
    );
  });

  test('diff-allow lines of the description become --allow options; anything else is ignored with a warning', () => {
    const pr = read('pull-request.yml');
    const diff = pr.jobs['offline-diff'].steps.find((s: { id?: string }) => s.id === 'diff');
    // The script up to the diff itself, then print what it would pass.
    const parsing = (diff.run as string).split('set +e')[0] + 'printf "<%s>" "${allow[@]}"';
    const body = [
      'Replaces the cache.',
      'diff-allow: Prod/Data/CacheReplicationGroupD1A2B3C4 ',
      'diff-allow: $(touch /tmp/pwned)',
      'diff-allow: Uploads4F6EB0FD\r',
    ].join('\n');
    const result = spawnSync('bash', ['-c', parsing], {
      env: { PATH: process.env.PATH, PR_BODY: body },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout.endsWith('<--allow><Prod/Data/CacheReplicationGroupD1A2B3C4><--allow><Uploads4F6EB0FD>')).toBe(
      true,
    );
    expect(result.stdout).toContain(
      '::warning::ignored diff-allow value (not a [Stack/]LogicalId): $(touch /tmp/pwned)',
    );
  });

  test("the deploy job's configuration step prints the environment's stage, account, region, image source and repository", () => {
    const step = read('deploy.yml').jobs.deploy.steps.find((s: { id?: string }) => s.id === 'env');
    const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'facts-')), 'output');
    fs.writeFileSync(output, '');
    const run = spawnSync('bash', ['-eo', 'pipefail', '-c', step.run], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ENVIRONMENT: 'staging', GITHUB_OUTPUT: output, LA_STAGING_ACCOUNT: '444444444444' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.readFileSync(output, 'utf8').trim().split('\n')).toEqual([
      'stage=Staging',
      'account=444444444444',
      'region=eu-west-1',
      'image-source=ecr',
      'repository=learning-assistant/staging/web',
    ]);
  });
});
