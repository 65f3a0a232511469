import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stage } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { selectEnvironments } from '../lib/config-loader';
import { committedConfigs } from './support/config';
import { cdkJsonContext } from './support/paths';

const ROOT = path.join(__dirname, '..');

/** Runs `bin/app.ts` the way the CLI does (transpile only) into its own output directory. */
function runApp(context: Record<string, string>, env: Record<string, string> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'la-app-'));
  try {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'bin', 'app.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    });
    const written = fs.readdirSync(outdir, { recursive: true }).map(String);
    return { status: result.status, stderr: result.stderr, written };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('bin/app.ts', () => {
  test('an unknown environment stops synthesis with one message and no template', () => {
    const { status, stderr, written } = runApp({ env: 'qa' });
    expect(status).toBe(1);
    expect(stderr.trim()).toBe('Unknown environment "qa" (from -c env=qa): expected one of dev, staging, prod');
    expect(written).toEqual([]);
  });

  test('a misspelled environment is suggested', () => {
    const { status, stderr, written } = runApp({ env: 'prd' });
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(
      'Unknown environment "prd" (from -c env=prd); did you mean "prod"?: expected one of dev, staging, prod',
    );
    expect(written).toEqual([]);
  });

  test('an invalid override stops synthesis before any template is written', () => {
    const { status, stderr, written } = runApp({}, { LA_PROD_ACCOUNT: 'not-an-account' });
    expect(status).toBe(1);
    expect(stderr).toContain('prod: account: must be a 12-digit AWS account id');
    expect(written.filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });

  test('a misspelled override stops synthesis with one message naming the right one, and no stack trace', () => {
    const { status, stderr, written } = runApp(
      { 'prod:acount': '444444444444' },
      { LA_PROD_ACCOUNT_ID: '555555555555' },
    );
    expect(status).toBe(1);
    expect(stderr).toContain('prod: -c prod:acount: "acount" is not an overridable field; did you mean "account"?');
    expect(stderr).toContain('prod: LA_PROD_ACCOUNT_ID is not an override variable; did you mean LA_PROD_ACCOUNT?');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(written.filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });

  test('-c env=prod composes only the prod stage (checked in-process: the suite synthesizes each environment once)', () => {
    const app = new App({ context: { ...cdkJsonContext(), env: 'prod' } });
    const context = (key: string): unknown => app.node.tryGetContext(key);
    const built = buildApp(app, { configs: committedConfigs(), selected: selectEnvironments({ context }) });
    expect(Object.keys(built.stages)).toEqual(['prod']);
    expect(app.node.children.filter(Stage.isStage).map((stage) => stage.node.id)).toEqual(['Prod']);
  });
});
