import { App, Stack, Validations, type IPolicyValidationContext, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { DeployReadinessChecks, type DeployReadinessChecksProps } from '../../lib/rules';
import { testStack, type TestStackOptions } from '../support/test-stack';

/** The day every rule test checks runtimes against, unless it says otherwise. */
export const TODAY = new Date('2026-11-25T00:00:00Z');

/** One finding: the rule id with its `[finding]` suffix, and the construct path of the resource. */
export interface RuleFinding {
  readonly id: string;
  readonly path: string;
}

/** The pack, keeping the report the validation framework got from it. */
export class CapturingDeployReadinessChecks extends DeployReadinessChecks {
  public report?: PolicyValidationPluginReport;

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = super.validate(context);
    // The framework removes acknowledged violations from the returned report in place.
    this.report = structuredClone(report);
    return report;
  }
}

/** The findings in a report, one per resource. */
export function findingsIn(report: PolicyValidationPluginReport): RuleFinding[] {
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      id: violation.ruleName,
      path: 'constructPath' in resource ? (resource.constructPath ?? '') : '',
    })),
  );
}

/**
 * Synthesizes the app of `scope` with the pack registered as a `Validations` plugin, as the
 * project registers its packs, and returns the pack's findings. The pack runs after synthesis,
 * on the prepared tree, exactly as in `cdk synth`.
 */
export function deployReadinessFindings(scope: IConstruct, props: DeployReadinessChecksProps = {}): RuleFinding[] {
  const app = scope.node.root as App;
  const pack = new CapturingDeployReadinessChecks(app, { today: TODAY, ...props });
  Validations.of(app).addPlugins(pack);
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    // The pack's own errors fail synthesis after it reported them.
    synthError = error;
  }
  if (pack.report === undefined) {
    throw synthError ?? new Error('The DeployReadiness pack did not run');
  }
  return findingsIn(pack.report);
}

/** The finding ids of `rule` (e.g. `SecurityGroupInlineEgress`) on the resource at `path`. */
export function idsOf(findings: readonly RuleFinding[], rule: string, path?: string): string[] {
  return findings
    .filter((f) => f.id === `DeployReadiness-${rule}` || f.id.startsWith(`DeployReadiness-${rule}[`))
    .filter((f) => path === undefined || f.path === path || f.path.startsWith(`${path}/`))
    .map((f) => f.id)
    .sort();
}

/** A fresh test stack (see {@link testStack}). */
export function ruleStack(options: TestStackOptions = {}): Stack {
  return testStack(options);
}
