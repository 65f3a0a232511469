import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SYNTH_COMMAND, parseDiffArgs, USAGE } from '../../lib/diff/args';
import type { DiffReport, StackReport } from '../../lib/diff/model';
import { MARKDOWN_MARKER, MARKDOWN_MAX_CHARS, renderMarkdown } from '../../lib/diff/render';
import { copyAssembly, git, removeTemporary, reportOf, runDiff, temporary, worktrees } from './helpers';
import { synthProjectApp } from './project-app';

const ROOT = path.join(__dirname, '../..');

/**
 * The "app" of the temporary repositories: it copies the assembly committed in `assembly/` (synthesized by
 * the project's constructs) to $CDK_OUTDIR, after checking that the project's node_modules is linked in,
 * and fails when a file `broken` exists.
 */
const COPY_APP =
  'test -f node_modules/marker || { echo "node_modules is not linked" >&2; exit 9; }; ' +
  'if [ -f broken ]; then echo "this tree does not synthesize" >&2; exit 7; fi; ' +
  'mkdir -p "$CDK_OUTDIR" && cp -R assembly/. "$CDK_OUTDIR"/';

let base: string;
let removedBucket: string;

beforeAll(() => {
  base = synthProjectApp(temporary('base'));
  removedBucket = synthProjectApp(temporary('removed'), { uploads: false });
});
afterAll(removeTemporary);

/** A git repository whose committed tree synthesizes to the base assembly, with an ignored node_modules. */
function repository(): string {
  const repo = fs.realpathSync(temporary('repo'));
  git(repo, 'init', '-q');
  copyAssembly(base, path.join(repo, 'assembly'));
  fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules/\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');
  fs.mkdirSync(path.join(repo, 'node_modules'));
  fs.writeFileSync(path.join(repo, 'node_modules', 'marker'), 'the project dependencies');
  return repo;
}

/** The temporary worktree a run announced on stderr. */
function announcedWorktree(stderr: string): string | undefined {
  return /in a temporary worktree (\S+)/.exec(stderr)?.[1];
}

describe('arguments', () => {
  test('every problem at once, each with the value and the fix, then the usage: exit 2', async () => {
    const result = await runDiff(['--format', 'html', '--allow', 'Prod/Data/not-an-id!', '--allow', '/X1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--base is required: a git ref (e.g. origin/main) or a cloud assembly directory');
    expect(result.stderr).toContain('--format html: expected one of text, markdown, json');
    expect(result.stderr).toContain('--allow Prod/Data/not-an-id!: "not-an-id!" is not a logical ID');
    expect(result.stderr).toContain('--allow /X1: empty stack name before the logical ID');
    expect(result.stderr).toContain(USAGE);
    expect(result.stdout).toBe('');
  });

  test('unknown options and --json against another --format are refused', async () => {
    expect((await runDiff(['--base', base, '--frobnicate'])).stderr).toContain("Unknown option '--frobnicate'");
    const conflict = await runDiff(['--base', base, '--json', '--format', 'markdown']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('--json and --format markdown disagree');
  });

  test('the synthesis command: --synth-command, else DIFF_SYNTH_COMMAND, else cdk synth into $CDK_OUTDIR', () => {
    const options = (argv: string[], env: Record<string, string> = {}) => {
      const parsed = parseDiffArgs(['--base', 'main', ...argv], env);
      if (parsed.kind !== 'options') throw new Error(JSON.stringify(parsed));
      return parsed.options;
    };
    expect(options([]).synthCommand).toBe(`npx cdk synth '**' --quiet -o "$CDK_OUTDIR"`);
    expect(DEFAULT_SYNTH_COMMAND).toContain('$CDK_OUTDIR');
    expect(options([], { DIFF_SYNTH_COMMAND: 'node app.js' }).synthCommand).toBe('node app.js');
    expect(options(['--synth-command', 'make synth'], { DIFF_SYNTH_COMMAND: 'node app.js' }).synthCommand).toBe(
      'make synth',
    );
    expect(options(['--allow', 'A1', '--allow', 'Prod/Data/B2']).allows).toEqual([
      { raw: 'A1', stack: undefined, logicalId: 'A1' },
      { raw: 'Prod/Data/B2', stack: 'Prod/Data', logicalId: 'B2' },
    ]);
    expect(parseDiffArgs(['--help'])).toEqual({ kind: 'help' });
  });
});

describe('bad input', () => {
  test('a missing directory outside a git repository: no such directory, exit 2', async () => {
    const outside = temporary('outside');
    const result = await runDiff(['--base', 'old-cdk.out', '--head', base], { cwd: outside });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--base old-cdk.out: no such directory, and ${outside} is not in a git repository, so it is no git ref either`,
    );
    const head = await runDiff(['--base', base, '--head', path.join(outside, 'missing')]);
    expect(head.code).toBe(2);
    expect(head.stderr).toContain(`--head ${path.join(outside, 'missing')}: no such directory`);
  });

  test('a directory that is not a cloud assembly, and a corrupt manifest: exit 2', async () => {
    const empty = temporary('empty');
    const result = await runDiff(['--base', empty, '--head', base]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--base ${empty}: not a cloud assembly (no manifest.json)`);
    const corrupt = temporary('corrupt');
    copyAssembly(base, corrupt);
    fs.writeFileSync(path.join(corrupt, 'assembly-Prod', 'manifest.json'), '{"artifacts": ');
    const broken = await runDiff(['--base', base, '--head', corrupt]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/--head: .*assembly-Prod\/manifest.json is not valid JSON/);
  });

  test('an unknown git ref: a clear error, exit 2, and no worktree left behind', async () => {
    const repo = repository();
    const result = await runDiff(['--base', 'no-such-branch', '--head', base], {
      cwd: repo,
      env: { DIFF_SYNTH_COMMAND: COPY_APP },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--base no-such-branch: no such directory, and not a git ref of ${repo} (no commit by that name; ` +
        'for a remote branch fetch it first, e.g. git fetch origin main, then --base origin/main)',
    );
    expect(worktrees(repo)).toEqual([repo]);
    // A ref that looks like an option is a name, never an option of git.
    const dashed = await runDiff(['--base=--all', '--head', base], { cwd: repo });
    expect(dashed.code).toBe(2);
    expect(dashed.stderr).toContain('--base --all: no such directory, and not a git ref');
  });
});

describe('a git ref as the base', () => {
  test('synthesized in a temporary worktree sharing node_modules; the worktree is removed afterwards', async () => {
    const repo = repository();
    const commit = git(repo, 'rev-parse', 'HEAD').trim();
    copyAssembly(removedBucket, path.join(repo, 'assembly'));
    const result = await runDiff(['--base', 'HEAD', '--json'], { cwd: repo, env: { DIFF_SYNTH_COMMAND: COPY_APP } });
    expect(result.stderr).toContain('Synthesizing head');
    expect(result.code).toBe(1);
    const report = reportOf(result);
    expect(report.base).toBe(`git ref HEAD (${commit.slice(0, 12)})`);
    expect(report.head).toBe(`working tree (${commit.slice(0, 12)} with uncommitted changes)`);
    expect(report.stateful.map((f) => [f.kind, f.type])).toEqual([['orphaned', 'AWS::S3::Bucket']]);
    const worktree = announcedWorktree(result.stderr);
    expect(worktree).toBeDefined();
    expect(fs.existsSync(worktree as string)).toBe(false);
    expect(worktrees(repo)).toEqual([repo]);
    // Removing the worktree unlinked node_modules and left the project's own copy alone.
    expect(fs.readFileSync(path.join(repo, 'node_modules', 'marker'), 'utf8')).toBe('the project dependencies');
  });

  test('a base that fails to synthesize: exit 3 with its output, and the worktree is removed', async () => {
    const repo = repository();
    fs.writeFileSync(path.join(repo, 'broken'), '');
    git(repo, 'add', 'broken');
    git(repo, 'commit', '-q', '-m', 'broken');
    fs.rmSync(path.join(repo, 'broken'));
    const result = await runDiff(['--base', 'HEAD'], { cwd: repo, env: { DIFF_SYNTH_COMMAND: COPY_APP } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('diff: base: synthesis failed (exit 7)');
    expect(result.stderr).toContain('  | this tree does not synthesize');
    expect(result.stdout).toBe('');
    expect(worktrees(repo)).toEqual([repo]);
  });

  test('interrupted while the base synthesizes: the synthesis is stopped, the worktree removed, exit 130', async () => {
    const repo = repository();
    const signals = new EventEmitter();
    const started = Date.now();
    const result = await runDiff(['--base', 'HEAD', '--head', base], {
      cwd: repo,
      env: { DIFF_SYNTH_COMMAND: 'sleep 30' },
      signals,
      onErr: (line) => {
        if (line.startsWith('Synthesizing base')) setTimeout(() => signals.emit('SIGINT', 'SIGINT'), 300);
      },
    });
    expect(result.code).toBe(130);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).toContain('Received SIGINT: stopping synthesis and removing the temporary worktree.');
    expect(result.stderr).toContain('diff: interrupted by SIGINT; temporary files removed');
    expect(worktrees(repo)).toEqual([repo]);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});

test('the head synthesis failing: exit 3, and nothing of the base is started', async () => {
  const result = await runDiff(['--base', base], {
    cwd: temporary('project'),
    env: { DIFF_SYNTH_COMMAND: 'echo "cannot synthesize" >&2; exit 5' },
  });
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(
    /diff: head: synthesis failed \(exit 5\): echo "cannot synthesize" >&2; exit 5 \(in .*\)/,
  );
  expect(result.stderr).toContain('  [head] cannot synthesize');
  expect(result.stderr).not.toContain('Synthesizing base');
});

describe('bin/diff.ts in a child process', () => {
  const bin = (args: string[]) =>
    spawnSync(process.execPath, ['-r', '@swc-node/register', 'bin/diff.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DIFF_SYNTH_COMMAND: 'exit 99' },
    });

  test('a blocking change: markdown to --output, the summary on stdout, exit 1', () => {
    const file = path.join(temporary('out'), 'comment.md');
    const result = bin(['--base', base, '--head', removedBucket, '--format', 'markdown', '--output', file]);
    expect(result.status).toBe(1);
    const markdown = fs.readFileSync(file, 'utf8');
    expect(markdown.startsWith(`${MARKDOWN_MARKER}\n## :x: Infrastructure diff: 1 blocking stateful change(s)\n`)).toBe(
      true,
    );
    expect(result.stdout).toContain(
      'Prod/Data (Prod-Data, aws://123456789012/eu-west-1): 0 added, 0 updated, 0 replaced, 2 removed; broadens access (2); BLOCKED (1)',
    );
    expect(result.stdout).toMatch(/BLOCKED: 1 stateful change\(s\) not allowed \(exit 1\)/);
    // The summary only: the full diff went to the file.
    expect(result.stdout).not.toContain('[-] AWS::S3::Bucket');
    expect(markdown).toContain('[-] AWS::S3::Bucket Uploads');
    expect(result.stderr).toContain(`Report (markdown) written to ${file}`);
  });

  test('an unknown ref: exit 2 with the reason on stderr', () => {
    const result = bin(['--base', 'no-such-ref-for-the-diff-test', '--head', base]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--base no-such-ref-for-the-diff-test: no such directory, and not a git ref');
    expect(result.stdout).toBe('');
  });
});

test('markdown stays within one comment: full diffs are cut, summary and findings are not', () => {
  const stack = (n: number): StackReport => ({
    displayName: `Prod/Stack${n}`,
    stackName: `Prod-Stack${n}`,
    artifactId: `ProdStack${n}`,
    environment: 'aws://123456789012/eu-west-1',
    status: 'changed',
    counts: { added: 1, updated: 0, replaced: 0, removed: 0 },
    resources: [],
    otherChanges: 0,
    broadening: [],
    blocking: 0,
    fullDiff: Array.from({ length: 2000 }, (_, i) => `[+] AWS::SNS::Topic Topic${n}x${i} ${'x'.repeat(20)}`).join('\n'),
  });
  const report: DiffReport = {
    base: 'git ref main (0123456789ab)',
    head: 'working tree',
    stacks: [1, 2, 3].map(stack),
    stateful: [
      {
        kind: 'destroyed',
        stack: 'Prod/Stack1',
        stackName: 'Prod-Stack1',
        logicalId: 'Queue1234ABCD',
        type: 'AWS::SQS::Queue',
        stackRemoved: false,
        detail: 'removed | deleted',
      },
    ],
    outputs: [],
    staleAllows: [],
    blocking: 1,
    exitCode: 1,
  };
  const markdown = renderMarkdown(report);
  expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
  expect(markdown).toContain(
    '| `Prod/Stack1` | `Queue1234ABCD` | `AWS::SQS::Queue` | destroyed | removed \\| deleted |',
  );
  expect(markdown).toContain('_Diff cut to fit one comment: run `npm run diff` for all of it._');
  expect(markdown).toContain('<details><summary><code>Prod/Stack1</code>');
  expect(markdown).toMatch(/more stack diff\(s\) left out to fit one comment|<code>Prod\/Stack3<\/code>/);
});
