/**
 * Runs the DeployReadiness pack over the real app, every environment, and prints its findings.
 *
 *   node -r @swc-node/register test/rules/current-app.ts [--json]
 *
 * The app is built as `test/support/global-setup.ts` builds it (`buildApp`, the committed config,
 * `cdk.json`'s context), with the pack added next to the compliance plugins. Compliance failures
 * of the other gates do not stop the report: every plugin runs before synthesis fails.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import { loadConfigs, selectEnvironments } from '../../lib/config-loader';
import { cdkJsonContext } from '../support/paths';
import { CapturingDeployReadinessChecks, findingsIn, type RuleFinding } from './support';

/** A finding of the current app, with the environment (stage) it occurs in. */
export interface AppFinding extends RuleFinding {
  readonly environment: string;
}

/** Synthesizes every environment with the pack and returns its findings (acknowledged ones excluded). */
export function currentAppFindings(outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-readiness-'))): {
  findings: AppFinding[];
  synthError?: string;
} {
  const app = new App({ outdir, context: cdkJsonContext() });
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const configs = loadConfigs({ context, env: {} });
  buildApp(app, { configs, selected: selectEnvironments({ context }) });
  const pack = new CapturingDeployReadinessChecks(app);
  Validations.of(app).addPlugins(pack);
  let synthError: string | undefined;
  try {
    app.synth();
  } catch (error) {
    synthError = (error as Error).message;
  }
  if (pack.report === undefined) {
    throw new Error(`The pack did not run: ${synthError ?? 'no report'}`);
  }
  const findings = findingsIn(pack.report).map((finding) => ({
    ...finding,
    environment: finding.path.split('/')[0] ?? '',
  }));
  return { findings, synthError };
}

if (require.main === module) {
  const { findings, synthError } = currentAppFindings();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(findings, undefined, 2));
  } else {
    const byEnvironment = new Map<string, AppFinding[]>();
    findings.forEach((f) => byEnvironment.set(f.environment, [...(byEnvironment.get(f.environment) ?? []), f]));
    for (const [environment, list] of byEnvironment) {
      console.log(`\n${environment}: ${list.length} finding(s)`);
      list.forEach((f) => console.log(`  ${f.id}\n      at ${f.path}`));
    }
    console.log(
      `\n${findings.length} finding(s) in total${synthError ? '; synthesis also failed on other gates' : ''}`,
    );
  }
}
