#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { StaleAcknowledgmentError, staleAcknowledgments } from '../lib/acknowledgments';
import { buildApp, type BuiltApp } from '../lib/app';
import { ConfigError, imageTagOverride, loadConfigs, selectEnvironments } from '../lib/config-loader';
import { isBlocking, reportedViolations } from '../lib/validation-report';

const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);

let built: BuiltApp;
try {
  // Validate every input before a single construct exists, so bad config writes no template.
  const selected = selectEnvironments({ context });
  const configs = loadConfigs({ context, env: process.env });
  built = buildApp(app, { configs, selected, imageTag: imageTagOverride({ context }) });
} catch (error) {
  if (error instanceof ConfigError || error instanceof StaleAcknowledgmentError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const assembly = app.synth();

// An acknowledgment whose finding is gone would hide the next real finding at that place.
if (process.env.DBG)
  console.error(
    JSON.stringify(
      built.compliance
        .rawFindings(app)
        .filter((f) => f.id.includes('Validate'))
        .slice(0, 3),
    ),
  );
const stale = staleAcknowledgments(built.acknowledgments, built.compliance.rawFindings(app));
if (stale.length > 0) {
  console.error(new StaleAcknowledgmentError(stale).message);
  process.exitCode = 1;
}

// The CLI checks the validation report only for the stacks it selected, and a bare `cdk synth`
// selects none of the stages' stacks: fail here, whatever the selection.
const blocking = reportedViolations(assembly.directory).filter(isBlocking);
if (blocking.length > 0) {
  console.error(
    [
      `Compliance validation failed: ${blocking.length} unacknowledged finding(s). Fix the resource, or acknowledge with a reason in lib/acknowledgments.ts.`,
      ...blocking.map((v) => `  ${v.rule} (${v.plugin}) at ${v.paths.join(', ')}: ${v.description.split('\n')[0]}`),
      `Full report: ${assembly.directory}/validation-report.json`,
    ].join('\n'),
  );
  process.exitCode = 1;
}
