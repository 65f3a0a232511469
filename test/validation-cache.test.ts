import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Compliance } from '../lib/compliance';
import { cachedValidate, noViolation, validationCacheDir, type TemplateReport } from '../lib/validation-cache';

type Violation = TemplateReport<{
  ruleName: string;
  description: string;
  violatingResources: Array<{ templatePath?: string; resourceLogicalId?: string }>;
}>['violations'][number];

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'la-cache-'));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

describe('cachedValidate', () => {
  /** A plugin that flags every template containing "bad", answering with absolute paths as cfn-guard does. */
  function fakePlugin() {
    const seen: string[][] = [];
    const validate = (context: { templatePaths: string[] }) => {
      seen.push([...context.templatePaths]);
      const violations: Violation[] = context.templatePaths
        .filter((p) => fs.readFileSync(p, 'utf8').includes('bad'))
        .map((p) => ({
          ruleName: 'no_bad',
          description: 'bad',
          violatingResources: [{ templatePath: path.resolve(p), resourceLogicalId: 'R' }],
        }));
      return { success: violations.length === 0, violations };
    };
    return { seen, validate };
  }
  const write = (name: string, content: string) => {
    fs.writeFileSync(path.join(work, name), content);
    // Relative, as in a relative cdk.out: the plugin's absolute answer must still be filed under it.
    return path.relative(process.cwd(), path.join(work, name));
  };

  test('validates only what changed, and answers the rest identically from the cache', () => {
    const plugin = fakePlugin();
    const a = write('a.template.json', '{"bad":1}');
    const b = write('b.template.json', '{"good":1}');
    const options = { fingerprint: 'fake@1', successOf: noViolation, directory: path.join(work, 'cache') };

    const cold = cachedValidate({ templatePaths: [a, b] }, options, plugin.validate);
    const warm = cachedValidate({ templatePaths: [a, b] }, options, plugin.validate);
    expect(plugin.seen).toEqual([[a, b]]);
    expect(warm).toEqual(cold);
    expect(cold.success).toBe(false);
    expect(cold.violations[0]?.violatingResources[0]?.templatePath).toBe(a);

    write('b.template.json', '{"bad":2}');
    const changed = cachedValidate({ templatePaths: [a, b] }, options, plugin.validate);
    expect(plugin.seen).toEqual([[a, b], [b]]);
    expect(changed.violations).toHaveLength(1);
    expect(changed.violations[0]?.violatingResources.map((r) => r.templatePath)).toEqual([a, b]);
  });

  test('a different fingerprint (plugin version, rules) validates again', () => {
    const plugin = fakePlugin();
    const a = write('a.template.json', '{"bad":1}');
    const directory = path.join(work, 'cache');
    cachedValidate(
      { templatePaths: [a] },
      { fingerprint: 'fake@1', successOf: noViolation, directory },
      plugin.validate,
    );
    cachedValidate(
      { templatePaths: [a] },
      { fingerprint: 'fake@2', successOf: noViolation, directory },
      plugin.validate,
    );
    expect(plugin.seen).toHaveLength(2);
  });

  test('a violation it cannot file under a template is reported, never cached', () => {
    const a = write('a.template.json', '{}');
    const directory = path.join(work, 'cache');
    const validate = () => ({
      success: false,
      violations: [{ ruleName: 'r', description: 'd', violatingResources: [{ templatePath: '/elsewhere.json' }] }],
    });
    const report = cachedValidate(
      { templatePaths: [a] },
      { fingerprint: 'f', successOf: noViolation, directory },
      validate,
    );
    expect(report.violations).toHaveLength(1);
    expect(fs.existsSync(directory)).toBe(false);
  });

  test('is off in CI unless asked for, and when turned off', () => {
    expect(validationCacheDir({ CI: 'true' })).toBeUndefined();
    expect(validationCacheDir({ CI: 'true', LA_VALIDATION_CACHE: 'on', LA_VALIDATION_CACHE_DIR: '/x' })).toBe('/x');
    expect(validationCacheDir({ LA_VALIDATION_CACHE: 'off' })).toBeUndefined();
  });
});

describe('compliance with a warm cache', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  /** Synthesizes a stack with an unencrypted bucket and an acknowledged finding; returns what the gates saw. */
  function synth(extraBucket: boolean) {
    const app = new App({ outdir: path.join(work, `out-${Math.random()}`) });
    const compliance = Compliance.attach(app);
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucket = new s3.CfnBucket(stack, 'Plain');
    if (extraBucket) {
      new s3.CfnBucket(stack, 'Second');
    }
    Validations.of(bucket).acknowledge({
      id: 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check',
      reason: 'test',
    });
    let error: string | undefined;
    try {
      app.synth();
    } catch (e) {
      // The report's copy lives in each run's own output directory.
      error = (e as Error).message.replace(/A copy of this report can be found in: .*/, '');
    }
    const guard = compliance
      .rawFindings(app)
      .filter((f) => f.id.startsWith('cdk-validator-cfnguard::'))
      .map((f) => `${f.id} ${f.path}`)
      .sort();
    return { error, guard };
  }

  test('cold and warm runs see the same findings and acknowledgments; a changed template is validated again', () => {
    process.env.LA_VALIDATION_CACHE = 'on';
    process.env.LA_VALIDATION_CACHE_DIR = path.join(work, 'cache');
    const cold = synth(false);
    const entries = fs.readdirSync(path.join(work, 'cache')).length;
    const warm = synth(false);
    expect(warm).toEqual(cold);
    expect(cold.guard).toContain('cdk-validator-cfnguard::s3_bucket_versioning_enabled_check S/Plain');
    // The acknowledged finding is filtered from the failure; the unacknowledged ones still fail.
    expect(cold.error).toMatch(/s3_bucket_logging_enabled_check/);
    expect(cold.error).not.toMatch(/s3_bucket_versioning_enabled_check/);
    expect(fs.readdirSync(path.join(work, 'cache'))).toHaveLength(entries);

    const changed = synth(true);
    expect(changed.guard).toContain('cdk-validator-cfnguard::s3_bucket_versioning_enabled_check S/Second');
    expect(fs.readdirSync(path.join(work, 'cache')).length).toBeGreaterThan(entries);
  });
});
