#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { ConfigError, loadConfigs, selectEnvironments } from '../lib/config-loader';

const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);

try {
  // Validate every input before a single construct exists, so bad config writes no template.
  const selected = selectEnvironments({ context });
  const configs = loadConfigs({ context, env: process.env });
  buildApp(app, { configs, selected });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

app.synth();
