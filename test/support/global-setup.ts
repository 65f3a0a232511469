import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import { loadConfigs, selectEnvironments } from '../../lib/config-loader';
import { ASSEMBLY_DIR, SUMMARY_FILE, TEST_OUT, cdkJsonContext } from './paths';
import type { SynthSummary } from './synth';

/**
 * Synthesizes every environment once for the whole test run, through the same `buildApp`
 * as `bin/app.ts`, with the feature flags of `cdk.json` and the compliance plugins attached.
 * Test files read the templates and the compliance record from `.test-out/`.
 */
export default function globalSetup(): void {
  const started = Date.now();
  fs.rmSync(TEST_OUT, { recursive: true, force: true });
  fs.mkdirSync(TEST_OUT, { recursive: true });

  const app = new App({ outdir: ASSEMBLY_DIR, context: cdkJsonContext() });
  const context = (key: string): unknown => app.node.tryGetContext(key);
  // The committed configuration, without overrides from the developer's shell.
  const configs = loadConfigs({ context, env: {} });
  const built = buildApp(app, { configs, selected: selectEnvironments({ context }) });

  let synthError: string | undefined;
  try {
    app.synth();
  } catch (error) {
    // Validation failures still write the templates; the compliance test reports the error.
    synthError = (error as Error).message;
  }

  const stacks: Array<SynthSummary['stacks'][number]> = [];
  for (const [environment, stage] of Object.entries(built.stages)) {
    for (const stack of stage.node.findAll().filter(Stack.isStack)) {
      stacks.push({
        environment,
        stackId: stack.node.id,
        stackName: stack.stackName,
        region: stack.region,
        account: stack.account,
        terminationProtection: stack.terminationProtection,
        templateFile: path.join(ASSEMBLY_DIR, stage.artifactId, stack.templateFile),
      });
    }
  }
  const summary: SynthSummary = {
    synthError,
    synthMillis: Date.now() - started,
    stacks,
    findings: built.compliance.rawFindings(app),
    acknowledgments: built.acknowledgments,
  };
  fs.writeFileSync(SUMMARY_FILE, JSON.stringify(summary, undefined, 2));
}
