import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiffInputError, readAssembly, type Assembly } from './assembly';

/** Synthesis of base or head failed: its command exited non-zero or wrote no cloud assembly. */
export class SynthesisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthesisError';
  }
}

/** A stop signal arrived while a synthesis ran; the synthesis was stopped. */
export class InterruptedError extends Error {
  constructor(public readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

/** What resolving base and head needs. */
export interface SourceContext {
  /** The project directory: where the current tree is synthesized, and the git repository of refs. */
  readonly cwd: string;
  /** Shell command that synthesizes the tree it runs in into `$CDK_OUTDIR`. */
  readonly synthCommand: string;
  /** This run's temporary directory: worktree and synthesized assemblies go there. */
  readonly tempRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly progress: (line: string) => void;
  /** Aborted at the first stop signal, with the signal as reason. */
  readonly signal: AbortSignal;
}

/** An assembly and how the report names where it came from. */
export interface Source {
  readonly assembly: Assembly;
  readonly label: string;
}

/**
 * The head: the assembly in `--head`, or the current tree synthesized into the temporary directory.
 *
 * @throws DiffInputError for a bad `--head`; SynthesisError; InterruptedError
 */
export async function resolveHead(head: string | undefined, context: SourceContext): Promise<Source> {
  if (head !== undefined) {
    return { assembly: readAssembly(path.resolve(context.cwd, head), '--head'), label: `directory ${head}` };
  }
  const outdir = path.join(context.tempRoot, 'head.out');
  context.progress(`Synthesizing head (the current tree in ${context.cwd}) ...`);
  await synthesize('head', context.cwd, outdir, context);
  return { assembly: readSynthesized(outdir, 'head'), label: `working tree (${describeWorkingTree(context.cwd)})` };
}

/**
 * The base: an existing directory is read as a cloud assembly; anything else must be a git ref, which is
 * checked out in a temporary worktree (sharing the project's node_modules), synthesized there, and the
 * worktree removed again: always, also after a failure or a stop signal.
 *
 * @throws DiffInputError for a base that is neither; SynthesisError; InterruptedError
 */
export async function resolveBase(base: string, context: SourceContext): Promise<Source> {
  const asPath = path.resolve(context.cwd, base);
  if (fs.existsSync(asPath) && fs.statSync(asPath).isDirectory()) {
    return { assembly: readAssembly(asPath, '--base'), label: `directory ${base}` };
  }
  const toplevel = git(context.cwd, ['rev-parse', '--show-toplevel']);
  if (toplevel.status !== 0) {
    throw new DiffInputError(
      `--base ${base}: no such directory, and ${context.cwd} is not in a git repository, so it is no git ref either`,
    );
  }
  const root = toplevel.stdout.trim();
  // `--end-of-options`: a ref that starts with `-` is a name, never an option of rev-parse.
  const resolved = git(context.cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${base}^{commit}`]);
  if (resolved.status !== 0 || resolved.stdout.trim() === '') {
    throw new DiffInputError(
      `--base ${base}: no such directory, and not a git ref of ${root} (no commit by that name; ` +
        'for a remote branch fetch it first, e.g. git fetch origin main, then --base origin/main)',
    );
  }
  const commit = resolved.stdout.trim();
  const worktree = path.join(context.tempRoot, 'base-worktree');
  const projectInWorktree = path.join(worktree, path.relative(root, fs.realpathSync(context.cwd)));
  context.progress(`Checking out ${base} (${commit.slice(0, 12)}) in a temporary worktree ${worktree}`);
  try {
    const added = git(root, ['worktree', 'add', '--detach', worktree, commit]);
    if (added.status !== 0) {
      throw new DiffInputError(`--base ${base}: git worktree add failed: ${added.stderr.trim()}`);
    }
    if (!fs.existsSync(projectInWorktree)) {
      throw new DiffInputError(`--base ${base}: the commit has no ${path.relative(root, context.cwd)} directory`);
    }
    // The base's dependencies are assumed to be the current ones: installing them would take minutes
    // and the network; a base that needs other versions fails to synthesize (exit 3) and says so.
    const modules = path.join(context.cwd, 'node_modules');
    const linked = path.join(projectInWorktree, 'node_modules');
    if (fs.existsSync(modules) && !fs.existsSync(linked)) fs.symlinkSync(modules, linked, 'dir');
    const outdir = path.join(context.tempRoot, 'base.out');
    context.progress(`Synthesizing base (${base}) ...`);
    await synthesize('base', projectInWorktree, outdir, context);
    return { assembly: readSynthesized(outdir, 'base'), label: `git ref ${base} (${commit.slice(0, 12)})` };
  } finally {
    removeWorktree(root, worktree, path.join(projectInWorktree, 'node_modules'), context.progress);
  }
}

/**
 * Removes the temporary worktree and its registration. The node_modules link goes first, by itself:
 * the removal must never reach into the project's own node_modules.
 */
export function removeWorktree(root: string, worktree: string, link: string, progress: (line: string) => void): void {
  try {
    if (fs.lstatSync(link).isSymbolicLink()) fs.unlinkSync(link);
  } catch {
    // No link: nothing to unlink.
  }
  if (fs.existsSync(worktree)) {
    const removed = git(root, ['worktree', 'remove', '--force', worktree]);
    if (removed.status !== 0) progress(`git worktree remove ${worktree} failed: ${removed.stderr.trim()}`);
  }
  fs.rmSync(worktree, { recursive: true, force: true });
  git(root, ['worktree', 'prune']);
}

function git(cwd: string, args: string[]) {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return {
    status: result.error === undefined ? result.status : -1,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
  };
}

function describeWorkingTree(cwd: string): string {
  const head = git(cwd, ['rev-parse', '--short=12', 'HEAD']);
  if (head.status !== 0) return cwd;
  const dirty = git(cwd, ['status', '--porcelain']).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' with uncommitted changes' : ''}`;
}

function readSynthesized(outdir: string, side: 'base' | 'head'): Assembly {
  try {
    return readAssembly(outdir, `${side} synthesis`);
  } catch (error) {
    if (error instanceof DiffInputError) {
      throw new SynthesisError(`${side}: the synthesis command succeeded but ${error.message}`);
    }
    throw error;
  }
}

/** How many lines of a failed synthesis's output the error repeats. */
const FAILURE_TAIL_LINES = 40;

/**
 * Runs the synthesis command in `cwd` with `CDK_OUTDIR=outdir`; its output goes to progress (stderr),
 * prefixed with the side. A stop signal ends the command's whole process group.
 */
function synthesize(side: 'base' | 'head', cwd: string, outdir: string, context: SourceContext): Promise<void> {
  if (context.signal.aborted) return Promise.reject(new InterruptedError(context.signal.reason as NodeJS.Signals));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Its own process group (detached), so a stop signal reaches the shell's children (npx, node) too.
    const child = spawn(context.synthCommand, {
      cwd,
      shell: true,
      detached: true,
      env: { ...context.env, CDK_OUTDIR: outdir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    let pending = '';
    const onData = (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        context.progress(`  [${side}] ${line}`);
        tail.push(line);
        if (tail.length > FAILURE_TAIL_LINES) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const stop = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    context.signal.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => {
      context.signal.removeEventListener('abort', stop);
      reject(new SynthesisError(`${side}: could not run the synthesis command: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      context.signal.removeEventListener('abort', stop);
      if (pending !== '') {
        context.progress(`  [${side}] ${pending}`);
        tail.push(pending);
      }
      if (context.signal.aborted) {
        reject(new InterruptedError(context.signal.reason as NodeJS.Signals));
      } else if (code === 0) {
        context.progress(`Synthesized ${side} in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else {
        reject(
          new SynthesisError(
            `${side}: synthesis failed (${code === null ? `killed by ${signal}` : `exit ${code}`}): ` +
              `${context.synthCommand} (in ${cwd})\n${tail.map((line) => `  | ${line}`).join('\n')}`,
          ),
        );
      }
    });
  });
}
