import { Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ValidationError } from './errors';

/**
 * One thing wrong with a set of props or config values. `path` names the field from the input's
 * root (e.g. `['readReplicas']`, `['tiers', 'public', 2]`); `message` gives the value and the fix.
 */
export interface Problem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/**
 * One row of a rule table: when `broken(input)` holds, `message(input)` explains it at `path`.
 * Rows are evaluated independently, so a table reports every problem at once.
 */
export interface Rule<T> {
  readonly path: ReadonlyArray<string | number>;
  readonly broken: (input: T) => boolean;
  readonly message: (input: T) => string;
}

/** The problems a rule table finds in `input`, in table order. */
export function problemsOf<T>(input: T, rules: ReadonlyArray<Rule<T>>): Problem[] {
  return rules.filter((rule) => rule.broken(input)).map((rule) => ({ path: rule.path, message: rule.message(input) }));
}

/**
 * True when every value is known at synthesis time. A rule skips values that are tokens (resolved
 * only at deploy time) instead of testing their placeholder text.
 */
export function known(...values: unknown[]): boolean {
  return values.every((value) => !Token.isUnresolved(value));
}

/** True when `value` is a whole number from `min` to `max`. */
export function isWholeNumber(value: number, min: number, max = Infinity): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** `readReplicas`, `tiers.public[2]`: a problem's path as a reader writes it. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>(
    (out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment),
    '',
  );
}

/**
 * Throws one {@link ValidationError} listing every problem, each with its field, or returns when
 * there are none. Constructs call it once with all their rules' problems (aws-cdk-lib's
 * `validateAllProps` pattern), so an author fixes everything in one round.
 */
export function throwOnProblems(scope: IConstruct, problems: readonly Problem[]): void {
  if (problems.length === 0) {
    return;
  }
  const lines = problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
  throw new ValidationError(
    scope,
    problems.length === 1 ? (lines[0] ?? '') : `${problems.length} invalid props:\n  ${lines.join('\n  ')}`,
  );
}
