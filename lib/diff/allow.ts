import type { StatefulFinding } from './model';

/** One `--allow` value: a logical ID, optionally qualified by its stack. */
export interface AllowRule {
  /** As given, for messages. */
  readonly raw: string;
  /** Display name (`Prod/Data`) or stack name (`Prod-Data`); undefined matches every stack. */
  readonly stack?: string;
  readonly logicalId: string;
}

/**
 * Parses `<LogicalId>` or `<Stack>/<LogicalId>`; the stack part may itself contain `/` (a display name
 * such as `Prod/Data`): logical IDs never do.
 *
 * @returns the rule, or a problem message with the value and the fix
 */
export function parseAllow(raw: string): AllowRule | string {
  const slash = raw.lastIndexOf('/');
  const logicalId = raw.slice(slash + 1);
  const stack = slash >= 0 ? raw.slice(0, slash) : undefined;
  if (!/^[A-Za-z0-9]+$/.test(logicalId)) {
    return (
      `--allow ${raw}: "${logicalId}" is not a logical ID (letters and digits only); ` +
      'give <LogicalId> or <Stack>/<LogicalId>, e.g. DatabaseF44359DD or Prod/Data/DatabaseF44359DD'
    );
  }
  if (stack !== undefined && stack.length === 0) return `--allow ${raw}: empty stack name before the logical ID`;
  return { raw, stack, logicalId };
}

/**
 * Marks each finding an allow rule names, and returns the rules that named none.
 *
 * A rename or move is allowed by either its old or its new logical ID: the reviewer names the resource
 * they have checked, by whichever ID they see first.
 * The stack part matches the display name or the stack name of the finding's stack (in base, or for
 * a move, in head).
 */
export function applyAllows(
  findings: readonly StatefulFinding[],
  rules: readonly AllowRule[],
): { findings: StatefulFinding[]; stale: string[] } {
  const matches = (rule: AllowRule, finding: StatefulFinding): boolean =>
    (rule.logicalId === finding.logicalId || rule.logicalId === finding.newLogicalId) &&
    (rule.stack === undefined ||
      [finding.stack, finding.stackName, finding.newStack, finding.newStackName].includes(rule.stack));
  const marked = findings.map((finding) => {
    const rule = rules.find((candidate) => matches(candidate, finding));
    return rule === undefined ? finding : { ...finding, allowedBy: rule.raw };
  });
  // A rule is stale when it names no finding at all (a second rule naming an allowed finding is not).
  const used = new Set(rules.filter((rule) => findings.some((finding) => matches(rule, finding))));
  return { findings: marked, stale: rules.filter((rule) => !used.has(rule)).map((rule) => rule.raw) };
}
