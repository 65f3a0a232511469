import type { IConstruct } from 'constructs';
import { StaleAcknowledgmentError, staleAcknowledgments } from './acknowledgments';
import type { BuiltApp } from './app';
import { isBlocking, reportedViolations } from './validation-report';

/**
 * Why a finished synthesis must not count as a success, as messages for the terminal; empty when it
 * may. Run after `app.synth()`:
 *
 * - an acknowledgment that matches no finding any more would hide the next real finding at that
 *   place, so it stops synthesis until it is removed or corrected;
 * - the CLI checks the validation report only for the stacks it selected, and a bare `cdk synth`
 *   selects none of the stages' stacks: an unacknowledged error fails here, whatever the selection.
 */
export function synthesisFailures(root: IConstruct, built: BuiltApp, assemblyDirectory: string): string[] {
  const failures: string[] = [];
  const stale = staleAcknowledgments(built.acknowledgments, built.compliance.rawFindings(root));
  if (stale.length > 0) {
    failures.push(new StaleAcknowledgmentError(stale).message);
  }
  const blocking = reportedViolations(assemblyDirectory).filter(isBlocking);
  if (blocking.length > 0) {
    failures.push(
      [
        `Compliance validation failed: ${blocking.length} unacknowledged finding(s). Fix the resource, or acknowledge with a reason in lib/acknowledgments/.`,
        ...blocking.map((v) => `  ${v.rule} (${v.plugin}) at ${v.paths.join(', ')}: ${v.description.split('\n')[0]}`),
        `Full report: ${assemblyDirectory}/validation-report.json`,
      ].join('\n'),
    );
  }
  return failures;
}
