#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { StaleAcknowledgmentError } from '../lib/acknowledgments';
import { buildApp, type BuiltApp } from '../lib/app';
import { ConfigError, imageTagOverride, loadConfigs, selectEnvironments } from '../lib/config-loader';
import { staleAcknowledgmentHints, synthesisFailures } from '../lib/synthesis-check';

const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);

/**
 * Stops with one message and exit code 1, never a stack trace: every input is validated before a
 * construct exists, and what still fails while building (a construct's own checks) is reported as
 * the construct reports it. `CDK_DEBUG=1` adds the stack trace for debugging the app itself.
 */
function stop(message: string, error?: unknown): never {
  console.error(message);
  if (error instanceof Error && process.env.CDK_DEBUG) {
    console.error(error.stack);
  }
  process.exit(1);
}

let built: BuiltApp<string>;
try {
  // Validate every input before a single construct exists, so bad config writes no template.
  const selected = selectEnvironments({ context });
  const configs = loadConfigs({ context, contextKeys: Object.keys(app.node.getAllContext()), env: process.env });
  built = buildApp(app, { configs, selected, imageTag: imageTagOverride({ context }) });
} catch (error) {
  if (error instanceof ConfigError) {
    stop(error.message);
  }
  if (error instanceof StaleAcknowledgmentError) {
    stop([error.message, ...staleAcknowledgmentHints(error.entries)].join('\n'));
  }
  stop(
    `Could not build the app: ${error instanceof Error ? error.message : String(error)}\n` +
      'The configuration passed its checks, so this is a gap in them or a bug in a construct: please report it with this message.',
    error,
  );
}

let directory: string;
try {
  directory = app.synth().directory;
} catch (error) {
  stop(`Synthesis failed: ${error instanceof Error ? error.message : String(error)}`, error);
}
const failures = synthesisFailures(app, built, directory);
if (failures.length > 0) {
  console.error(failures.join('\n\n'));
  process.exitCode = 1;
}
