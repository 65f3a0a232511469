import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareAssemblies } from './analyze';
import { parseDiffArgs, USAGE, type DiffOptions } from './args';
import { DiffInputError } from './assembly';
import { EXIT_CODES, type DiffReport } from './model';
import { renderJson, renderMarkdown, renderText } from './render';
import { InterruptedError, resolveBase, resolveHead, SynthesisError, type SourceContext } from './sources';
import { optionsOrExit, processOutput, type CommandOutput, type SignalSource } from '../operations/command-line';

/** The signals that stop the run; the temporary worktree is removed before the process exits. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Exit code of a run stopped by a signal: 128 + its number, as a shell reports it. */
const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Where the command writes: stdout (the report) and stderr (progress, errors). */
export type DiffOutput = CommandOutput;
export type { SignalSource };

/** What a test replaces. */
export interface DiffDependencies {
  /** The project directory. @default process.cwd() */
  readonly cwd?: string;
  /** @default process */
  readonly signals?: SignalSource;
}

/**
 * The `diff` command.
 *
 * @returns the exit code: 0 no blocking change, 1 blocking stateful change, 2 bad usage or input,
 *   3 synthesis failed, 130/143 interrupted
 */
export async function diffCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: DiffOutput = processOutput,
  dependencies: DiffDependencies = {},
): Promise<number> {
  // Help exits with EXIT_CODES.ok (0), problems with EXIT_CODES.usage (2), as every command does.
  const parsed = optionsOrExit(parseDiffArgs(argv, env), USAGE, output);
  if ('exitCode' in parsed) return parsed.exitCode;
  const { options } = parsed;
  const cwd = path.resolve(dependencies.cwd ?? process.cwd());
  const signals = dependencies.signals ?? process;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      output.err(`Received ${signal} again: still cleaning up.`);
      return;
    }
    output.err(`Received ${signal}: stopping synthesis and removing the temporary worktree.`);
    controller.abort(signal);
  };
  STOP_SIGNALS.forEach((signal) => signals.on(signal, onSignal));
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-diff-'));
  const context: SourceContext = {
    cwd,
    synthCommand: options.synthCommand,
    tempRoot,
    env,
    progress: output.err,
    signal: controller.signal,
  };
  try {
    const stopped = () => {
      if (controller.signal.aborted) throw new InterruptedError(controller.signal.reason as NodeJS.Signals);
    };
    const head = await resolveHead(options.head, context);
    stopped();
    const base = await resolveBase(options.base, context);
    stopped();
    output.err(`Comparing ${base.assembly.stacks.length} base and ${head.assembly.stacks.length} head stacks`);
    const report = compareAssemblies(base.assembly, head.assembly, {
      baseLabel: base.label,
      headLabel: head.label,
      allows: options.allows,
    });
    publish(report, options, cwd, output);
    return report.exitCode;
  } catch (error) {
    if (error instanceof DiffInputError) {
      output.err(`diff: ${error.message}`);
      return EXIT_CODES.usage;
    }
    if (error instanceof SynthesisError) {
      output.err(`diff: ${error.message}`);
      return EXIT_CODES.synthesis;
    }
    if (error instanceof InterruptedError) {
      output.err(`diff: ${error.message}; temporary files removed`);
      return SIGNAL_EXIT_CODES[error.signal] ?? 130;
    }
    throw error;
  } finally {
    fs.rmSync(tempRoot, { recursive: true, force: true });
    STOP_SIGNALS.forEach((signal) => signals.off(signal, onSignal));
  }
}

/** Writes the report: to `--output` (then a summary to stdout) or to stdout. */
function publish(report: DiffReport, options: DiffOptions, cwd: string, output: DiffOutput): void {
  const rendered =
    options.format === 'json'
      ? renderJson(report)
      : options.format === 'markdown'
        ? renderMarkdown(report)
        : renderText(report);
  if (options.output === undefined) {
    output.out(rendered);
    return;
  }
  const file = path.resolve(cwd, options.output);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${rendered}\n`);
  } catch (error) {
    throw new DiffInputError(`--output ${options.output}: cannot write it: ${(error as Error).message}`);
  }
  output.err(`Report (${options.format}) written to ${file}`);
  output.out(renderText(report, { summaryOnly: true }));
}
