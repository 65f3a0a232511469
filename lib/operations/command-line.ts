import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { EnvironmentConfig, EnvironmentName } from '../../config';
import { ConfigError, loadConfigs } from '../config-loader';

/** Where a command writes: its report on stdout, progress and problems on stderr. */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

/** The process's stdout and stderr, one line per call. */
export const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Where stop signals come from: the process, or a test's emitter. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** What a command's parser makes of its command line. */
export type Parsed<T> =
  | { readonly kind: 'help' }
  | { readonly kind: 'problems'; readonly problems: readonly string[] }
  | { readonly kind: 'options'; readonly options: T };

/** The option values of a command line, by name. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/**
 * The values of `argv` for `options` (plus `-h`/`--help`), strictly: an unknown option or a
 * positional argument is a problem. Help wins over everything else.
 */
export function readOptions(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { readonly kind: 'values'; readonly values: OptionValues } | Exclude<Parsed<never>, { kind: 'options' }> {
  let values: OptionValues;
  try {
    values = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values as OptionValues;
  } catch (error) {
    return { kind: 'problems', problems: [(error as Error).message] };
  }
  return values.help === true ? { kind: 'help' } : { kind: 'values', values };
}

/**
 * The first steps every command shares: `--help` prints the usage (exit 0), problems are listed with
 * the usage (exit 2), and then, for a command of an environment, its configuration is loaded (a
 * configuration problem: exit 2).
 *
 * @returns the options and the environment's configuration, or the exit code to stop with
 */
export function startCommand<T extends { readonly env: string }>(
  parsed: Parsed<T>,
  usage: string,
  env: Readonly<Record<string, string | undefined>>,
  output: CommandOutput,
): { readonly options: T; readonly config: EnvironmentConfig } | { readonly exitCode: number } {
  const options = optionsOrExit(parsed, usage, output);
  if ('exitCode' in options) return options;
  try {
    const config = loadConfigs({ context: () => undefined, env })[options.options.env as EnvironmentName];
    return { options: options.options, config };
  } catch (error) {
    if (error instanceof ConfigError) {
      output.err(error.message);
      return { exitCode: 2 };
    }
    throw error;
  }
}

/** `--help` (exit 0) and problems (exit 2) as {@link startCommand} handles them, for commands of no environment. */
export function optionsOrExit<T>(
  parsed: Parsed<T>,
  usage: string,
  output: CommandOutput,
): { readonly options: T } | { readonly exitCode: number } {
  if (parsed.kind === 'help') {
    output.out(usage);
    return { exitCode: 0 };
  }
  if (parsed.kind === 'problems') {
    output.err(`${parsed.problems.map((problem) => `  - ${problem}`).join('\n')}\n\n${usage}`);
    return { exitCode: 2 };
  }
  return { options: parsed.options };
}
