#!/usr/bin/env node
// Compares the CloudFormation templates of two cloud assemblies (cdk.out directories), template by
// template, and exits 1 when any template differs, is missing or is new. A refactor proves itself
// with `0 differ, 0 only in before, 0 only in after`.
//
// Usage: npm run compare -- <before cdk.out> <after cdk.out> [--verbose]
//   npx cdk synth '**' --quiet -o /tmp/before   # on the old commit
//   npx cdk synth '**' --quiet -o /tmp/after    # on the new one
//   npm run compare -- /tmp/before /tmp/after
//
// Templates are compared as parsed JSON (key order ignored, array order kept). Only
// `*.template.json` files count: asset staging directories, manifests and the tree differ with
// every path, not with what CloudFormation deploys.
import * as fs from 'node:fs';
import * as path from 'node:path';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const verbose = process.argv.includes('--verbose');
if (args.length !== 2) {
  console.error('usage: compare-templates.mjs <before cdk.out> <after cdk.out> [--verbose]');
  process.exit(2);
}
const [beforeDir, afterDir] = args.map((dir) => path.resolve(dir));
for (const dir of [beforeDir, afterDir]) {
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    console.error(`${dir} is not a cloud assembly (no manifest.json); synthesize into it first`);
    process.exit(2);
  }
}

/** Relative path → absolute path of every template below `dir`. */
function templates(dir) {
  const found = new Map();
  const walk = (current) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('asset.')) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.template.json')) found.set(path.relative(dir, full), full);
    }
  };
  walk(dir);
  return found;
}

/** JSON paths at which `a` and `b` differ (at most `limit`). */
function differences(a, b, at = '', out = [], limit = 20) {
  if (out.length >= limit) return out;
  if (Object.is(a, b)) return out;
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) {
    out.push(`${at || '/'}: ${JSON.stringify(a)?.slice(0, 120)} -> ${JSON.stringify(b)?.slice(0, 120)}`);
    return out;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    differences(a[key], b[key], `${at}/${key}`, out, limit);
  }
  return out;
}

const before = templates(beforeDir);
const after = templates(afterDir);
let identical = 0;
const differ = [];
const onlyBefore = [...before.keys()].filter((k) => !after.has(k)).sort();
const onlyAfter = [...after.keys()].filter((k) => !before.has(k)).sort();
for (const [name, file] of [...before].sort()) {
  const other = after.get(name);
  if (other === undefined) continue;
  const diff = differences(JSON.parse(fs.readFileSync(file, 'utf8')), JSON.parse(fs.readFileSync(other, 'utf8')));
  if (diff.length === 0) identical += 1;
  else differ.push([name, diff]);
}

for (const [name, diff] of differ) {
  console.log(`DIFFERS   ${name}`);
  for (const line of verbose ? diff : diff.slice(0, 5)) console.log(`          ${line}`);
}
for (const name of onlyBefore) console.log(`REMOVED   ${name}`);
for (const name of onlyAfter) console.log(`ADDED     ${name}`);
console.log(
  `${before.size} templates before, ${after.size} after: ${identical} identical, ${differ.length} differ, ` +
    `${onlyBefore.length} only in before, ${onlyAfter.length} only in after`,
);
process.exit(differ.length + onlyBefore.length + onlyAfter.length === 0 ? 0 : 1);
