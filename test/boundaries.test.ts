import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

const FORBIDDEN: ReadonlyArray<[string, string]> = [
  ['constructs/data/x.ts', "import { ENVIRONMENT_NAMES } from '../../config';"],
  ['constructs/data/x.ts', "import { buildApp } from '../../lib/app';"],
  ['constructs/data/x.ts', "import { DataStack } from '../../stacks';"],
  ['stacks/x.ts', "import { ENVIRONMENT_NAMES } from '../config/schema';"],
  ['stacks/x.ts', "import { buildApp } from '../lib/app';"],
  ['config/x.ts', "import { WebService } from '../constructs/compute/web-service';"],
  ['config/x.ts', "import { Duration } from 'aws-cdk-lib';"],
  ['config/x.ts', "import { removalPolicyOf } from '../lib/layers';"],
];
const ALLOWED: ReadonlyArray<[string, string]> = [
  ['constructs/data/x.ts', "import { ValidationError } from '../shared/errors';"],
  ['stacks/x.ts', "import { WebService } from '../constructs/compute';"],
  ['config/x.ts', "import { subnetLayoutProblems } from '../constructs/network/subnet-layout';"],
  ['config/x.ts', "import { fargateSizeProblem } from '../constructs/compute/fargate-size';"],
  ['config/x.ts', "import { problemsOf } from '../constructs/shared/problems';"],
  ['lib/x.ts', "import { ENVIRONMENT_NAMES } from '../config';"],
];

/**
 * The boundary messages the project's ESLint config reports for each `[file, import]` case. ESLint
 * loads its flat config as an ES module, which Jest's module system cannot, so one Node process
 * lints every case.
 */
function boundaryErrors(cases: ReadonlyArray<[string, string]>): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    Promise.all(cases.map(async ([file, source]) => {
      const name = source.split(' ')[2];
      const [result] = await eslint.lintText(source + '\\nexport const used = [' + name + '];\\n', { filePath: file });
      return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
    })).then((out) => process.stdout.write(JSON.stringify(out)), (e) => { console.error(e); process.exit(1); });
  `;
  const run = spawnSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`eslint failed: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as string[][];
}

describe('layer boundaries are enforced by lint', () => {
  const forbidden = boundaryErrors(FORBIDDEN);
  const allowed = boundaryErrors(ALLOWED);

  test.each(FORBIDDEN.map((c, i) => [...c, i] as const))('%s may not say %s', (_file, _source, index) => {
    expect(forbidden[index]).toHaveLength(1);
  });

  test.each(ALLOWED.map((c, i) => [...c, i] as const))('%s may say %s', (_file, _source, index) => {
    expect(allowed[index]).toEqual([]);
  });
});
