import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DiffReport } from '../../lib/diff/model';
import { diffCommand, type SignalSource } from '../../lib/diff/run';

/** What one run of the command printed and returned. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `diff` command in-process, capturing stdout and stderr, with no process signal handlers. */
export async function runDiff(
  argv: readonly string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    signals?: SignalSource;
    onErr?: (line: string) => void;
  } = {},
): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await diffCommand(
    argv,
    { ...process.env, ...options.env },
    {
      out: (text) => out.push(text),
      err: (text) => {
        err.push(text);
        options.onErr?.(text);
      },
    },
    { cwd: options.cwd, signals: options.signals ?? new EventEmitter() },
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The `--format json` report a run printed. */
export function reportOf(result: RunResult): DiffReport {
  return JSON.parse(result.stdout) as DiffReport;
}

/** A fresh temporary directory; {@link removeTemporary} deletes every one made. */
const made: string[] = [];
export function temporary(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `diff-test-${prefix}-`));
  made.push(dir);
  return dir;
}
export function removeTemporary(): void {
  made.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
}

/** Runs git in `cwd`; throws with its stderr when it fails. */
export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=diff-test', '-c', 'user.email=diff-test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** The worktrees git knows of in `repo` (the main one included). */
export function worktrees(repo: string): string[] {
  return git(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

/** Copies a cloud assembly directory (recursively). */
export function copyAssembly(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
}

/**
 * A copy of the assembly at `from` without the stacks whose display name is listed: a stack removed
 * from (or, compared the other way round, added to) the app.
 */
export function withoutStacks(from: string, displayNames: readonly string[]): string {
  const to = temporary('without');
  copyAssembly(from, to);
  for (const manifestFile of [path.join(to, 'manifest.json'), ...nestedManifests(to)]) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
      artifacts: Record<string, { displayName?: string }>;
    };
    for (const [id, artifact] of Object.entries(manifest.artifacts)) {
      if (artifact.displayName !== undefined && displayNames.includes(artifact.displayName)) {
        delete manifest.artifacts[id];
      }
    }
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  }
  return to;
}

function nestedManifests(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith('assembly-'))
    .map((name) => path.join(dir, name, 'manifest.json'));
}
