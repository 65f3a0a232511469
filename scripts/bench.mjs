#!/usr/bin/env node
// Times synthesis of all three environments two ways, several runs each:
//   A. the app command from cdk.json (what `cdk synth` runs: transpile-only TypeScript)
//   B. the same app bundled by esbuild and run with plain `node`
// and prints both medians and their ratio (target: A / B <= 1.15).
//
// The bundle keeps node_modules external: cfn-guard's validator finds its rules and binary
// relative to its own files, so a fully inlined bundle cannot run. What differs between A and B
// is therefore exactly the on-the-fly TypeScript cost, which is what this measures.
//
// Usage: npm run bench [-- --runs 7]
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
const TARGET = 1.15;

const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8'));
const work = path.join(root, '.bench');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

const bundle = path.join(work, 'app.js');
// Constructs find their files (the probe Lambda's source, app/) relative to __dirname: keep each
// module's own directory in the bundle, as running from source would.
const keepDirname = {
  name: 'keep-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await fs.promises.readFile(args.path, 'utf8');
      // A hashbang must stay the first line.
      const [, hashbang = '', body] = /^(#!.*\n)?([\s\S]*)$/.exec(source) ?? [];
      return {
        contents: `${hashbang}var __dirname = ${JSON.stringify(path.dirname(args.path))};\n${body}`,
        loader: 'ts',
      };
    });
  },
};
await esbuild.build({
  entryPoints: [path.join(root, 'bin', 'app.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outfile: bundle,
  logLevel: 'warning',
  plugins: [keepDirname],
});

const variants = {
  'cdk.json app': cdkJson.app,
  'esbuild bundle + node': `node ${bundle}`,
};

function timeOnce(command, outdir) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(command, {
    cwd: root,
    shell: true,
    encoding: 'utf8',
    // The CLI hands the app its context and output directory this way; do the same.
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context) },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`"${command}" failed:\n${result.stderr}`);
  }
  return seconds;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
// Interleave the variants so that machine noise affects both alike; one warm-up each first.
for (let run = 0; run <= runs; run++) {
  for (const [name, command] of Object.entries(variants)) {
    const seconds = timeOnce(command, path.join(work, 'out'));
    if (run > 0) samples[name].push(seconds);
  }
}

const [a, b] = Object.keys(variants).map((name) => median(samples[name]));
for (const [name, values] of Object.entries(samples)) {
  console.log(
    `${name.padEnd(24)} median ${median(values).toFixed(2)} s  runs: ${values.map((v) => v.toFixed(2)).join(' ')}`,
  );
}
const ratio = a / b;
console.log(
  `ratio (cdk.json app / bundle): ${ratio.toFixed(3)}  target <= ${TARGET}  ${ratio <= TARGET ? 'OK' : 'OVER TARGET'}`,
);
fs.rmSync(path.join(work, 'out'), { recursive: true, force: true });
process.exitCode = ratio <= TARGET ? 0 : 1;
