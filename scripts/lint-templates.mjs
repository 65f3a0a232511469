#!/usr/bin/env node
// Runs cfn-lint over every template of a cloud assembly, each against its own stack's region (the
// edge stack lives in us-east-1, the others in the environment's region), with .cfnlintrc.yaml.
//
// Usage: node scripts/lint-templates.mjs [cdk.out]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(process.argv[2] ?? 'cdk.out');

/** Template path -> region, from the stack artifacts of `dir`'s manifest and its nested assemblies. */
function templatesByRegion(dir, out = new Map()) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      templatesByRegion(path.join(dir, artifact.properties.directoryName), out);
    } else if (artifact.type === 'aws:cloudformation:stack') {
      const region = /^aws:\/\/[^/]+\/(.+)$/.exec(artifact.environment)?.[1];
      if (region === undefined || region === 'unknown-region') {
        throw new Error(`${artifact.properties.templateFile}: no region in ${artifact.environment}`);
      }
      const templates = out.get(region) ?? [];
      templates.push(path.join(dir, artifact.properties.templateFile));
      out.set(region, templates);
    }
  }
  return out;
}

if (!fs.existsSync(path.join(root, 'manifest.json'))) {
  console.error(`${root} is not a cloud assembly; synthesize first (npx cdk synth '**')`);
  process.exit(2);
}
let failed = false;
for (const [region, templates] of templatesByRegion(root)) {
  console.log(`cfn-lint: ${templates.length} template(s) in ${region}`);
  const run = spawnSync('cfn-lint', ['--regions', region, '--', ...templates], { stdio: 'inherit' });
  if (run.error !== undefined) {
    console.error(`cfn-lint could not run: ${run.error.message} (pip install cfn-lint)`);
    process.exit(2);
  }
  failed ||= run.status !== 0;
}
process.exit(failed ? 1 : 0);
