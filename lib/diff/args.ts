import { parseAllow, type AllowRule } from './allow';
import { readOptions, type Parsed } from '../operations/command-line';

/** Report formats of `--format`. */
export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** The synthesis the command runs unless `--synth-command` or `DIFF_SYNTH_COMMAND` replaces it. */
export const DEFAULT_SYNTH_COMMAND = `npx cdk synth '**' --quiet -o "$CDK_OUTDIR"`;

/** The environment variable that replaces the synthesis command (tests use a tiny app instead of minutes of `cdk synth`). */
export const SYNTH_COMMAND_ENV = 'DIFF_SYNTH_COMMAND';

export const USAGE = `Usage: npm run diff -- --base <git ref | assembly dir> [options]

Synthesizes the current tree and the base, diffs every stack of every environment with
@aws-cdk/cloudformation-diff, and reports added, updated, replaced and removed resources, IAM and
security-group changes that broaden access, and producer outputs that weak references read.
A stateful resource (database, replica, proxy, cache, bucket, key, secret, vault, log group,
repository, ...) that is replaced, may be replaced, removed (deleted or orphaned), renamed (new logical
ID) or moved to another stack fails the run, unless --allow names it.

  --base <ref|dir>        what to compare with (required): an existing directory is a cloud assembly
                          (e.g. a saved cdk.out); anything else is a git ref (branch, tag, commit), checked
                          out in a temporary worktree, synthesized there, and removed again
  --head <dir>            the cloud assembly to check, e.g. cdk.out (default: synthesize the current tree
                          into a temporary directory)
  --allow <[Stack/]Id>    accept the stateful change of this logical ID (repeatable); Stack is the display
                          name (Prod/Data) or stack name (Prod-Data); a rename or move is accepted by its
                          old or new ID; an --allow that matches nothing is reported as stale (a warning)
  --format <f>            text (default), markdown (one pull-request comment) or json
  --json                  same as --format json
  --output <file>         write the report there; stdout then gets the one-line-per-stack summary
  --synth-command <cmd>   shell command that synthesizes a tree into $CDK_OUTDIR, run in the tree's
                          directory (default: ${DEFAULT_SYNTH_COMMAND}; or ${SYNTH_COMMAND_ENV})
  -h, --help              print this help

Progress goes to stderr, the report to stdout.

Exit codes:
  0  no blocking change (stateful changes, if any, are all allowed)
  1  a stateful resource is replaced, removed, renamed or moved and no --allow names it
  2  bad usage or input: unknown option, unknown git ref, missing directory, not a cloud assembly
  3  synthesis of base or head failed
  4  unexpected error (a bug of the command)
  130/143  interrupted (SIGINT/SIGTERM); the temporary worktree is removed first`;

/** The command's options, checked. */
export interface DiffOptions {
  readonly base: string;
  /** @default - synthesize the current tree */
  readonly head?: string;
  readonly allows: readonly AllowRule[];
  readonly format: Format;
  /** @default - stdout */
  readonly output?: string;
  readonly synthCommand: string;
}

/** What {@link parseDiffArgs} makes of the command line. */
export type ParsedDiffArgs = Parsed<DiffOptions>;

/**
 * Parses and checks the command line; reports every problem at once, each with the value and the fix.
 *
 * @param env the process environment, for {@link SYNTH_COMMAND_ENV}
 */
export function parseDiffArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedDiffArgs {
  const read = readOptions(argv, {
    base: { type: 'string' },
    head: { type: 'string' },
    allow: { type: 'string', multiple: true },
    format: { type: 'string' },
    json: { type: 'boolean' },
    output: { type: 'string' },
    'synth-command': { type: 'string' },
  });
  if (read.kind !== 'values') return read;
  const { values } = read;

  const problems: string[] = [];
  const text = (name: string) => values[name] as string | undefined;
  const base = text('base');
  if (base === undefined || base.trim() === '') {
    problems.push(
      '--base is required: a git ref (e.g. origin/main) or a cloud assembly directory (e.g. a saved cdk.out)',
    );
  }
  const head = text('head');
  if (head !== undefined && head.trim() === '') problems.push('--head: empty; give a cloud assembly directory');

  const allows: AllowRule[] = [];
  for (const raw of (values.allow as string[] | undefined) ?? []) {
    const parsed = parseAllow(raw);
    if (typeof parsed === 'string') problems.push(parsed);
    else allows.push(parsed);
  }

  const json = values.json === true;
  const format = text('format') ?? (json ? 'json' : 'text');
  if (!(FORMATS as readonly string[]).includes(format)) {
    problems.push(`--format ${format}: expected one of ${FORMATS.join(', ')}`);
  } else if (json && format !== 'json') {
    problems.push(`--json and --format ${format} disagree: give one of them`);
  }

  const output = text('output');
  if (output !== undefined && output.trim() === '') problems.push('--output: empty; give a file name');

  const synthCommand = text('synth-command') ?? nonEmpty(env[SYNTH_COMMAND_ENV]) ?? DEFAULT_SYNTH_COMMAND;
  if (synthCommand.trim() === '') problems.push('--synth-command: empty; give a shell command');

  if (problems.length > 0) return { kind: 'problems', problems };
  return {
    kind: 'options',
    options: { base: base as string, head, allows, format: format as Format, output, synthCommand },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
