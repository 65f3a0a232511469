#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { StaleAcknowledgmentError } from '../lib/acknowledgments';
import { buildApp, type BuiltApp } from '../lib/app';
import { ConfigError, imageTagOverride, loadConfigs, selectEnvironments } from '../lib/config-loader';
import { synthesisFailures } from '../lib/synthesis-check';

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
const failures = synthesisFailures(app, built, assembly.directory);
if (failures.length > 0) {
  console.error(failures.join('\n\n'));
  process.exitCode = 1;
}
