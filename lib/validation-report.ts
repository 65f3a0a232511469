import * as fs from 'node:fs';
import * as path from 'node:path';

/** One violation of the synthesized validation report, after acknowledgments. */
export interface ReportedViolation {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly paths: readonly string[];
}

interface ReportJson {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string;
    readonly violations: ReadonlyArray<{
      readonly ruleName: string;
      readonly severity?: string;
      readonly description: string;
      readonly violatingConstructs?: ReadonlyArray<{ readonly constructPath?: string }>;
    }>;
  }>;
}

/**
 * The violations left in `validation-report.json` of a cloud assembly: what the plugins found
 * and no acknowledgment covered. Empty when the report does not exist (no plugin found anything).
 */
export function reportedViolations(assemblyDir: string): ReportedViolation[] {
  const file = path.join(assemblyDir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return [];
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ReportJson;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((violation) => ({
      plugin: plugin.pluginName,
      rule: violation.ruleName,
      severity: violation.severity ?? 'error',
      description: violation.description,
      paths: (violation.violatingConstructs ?? []).map((c) => c.constructPath ?? '?'),
    })),
  );
}

/** True for the severities that must stop a deployment. */
export function isBlocking(violation: ReportedViolation): boolean {
  return violation.severity === 'error' || violation.severity === 'fatal';
}
