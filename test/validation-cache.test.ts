import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { applyAcknowledgments, staleAcknowledgments } from '../lib/acknowledgments';
import { Compliance, groupsBySize, guardProcesses } from '../lib/compliance';
import { cachedValidate, noViolation, validationCacheDir, type TemplateReport } from '../lib/validation-cache';
import { committedConfigs } from './support/config';

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

  test('a report it cannot file template by template is returned whole, with the cached verdicts, and never stored', () => {
    const plugin = fakePlugin();
    const a = write('a.template.json', '{"bad":1}');
    const b = write('b.template.json', '{"good":1}');
    const directory = path.join(work, 'cache');
    const options = { fingerprint: 'f', successOf: noViolation, directory };
    cachedValidate({ templatePaths: [a] }, options, plugin.validate);
    const entries = fs.readdirSync(directory).length;

    const unfiled = { ruleName: 'r', description: 'no resource', violatingResources: [] };
    const withUnfiled = cachedValidate({ templatePaths: [a, b] }, options, () => ({
      success: false,
      violations: [unfiled],
    }));
    expect(withUnfiled.success).toBe(false);
    expect(withUnfiled.violations.map((v) => v.description)).toEqual(['bad', 'no resource']);

    const failedWithoutViolation = cachedValidate({ templatePaths: [b] }, options, () => ({
      success: false,
      violations: [],
    }));
    expect(failedWithoutViolation.success).toBe(false);
    expect(fs.readdirSync(directory)).toHaveLength(entries);
  });

  test('is off in CI unless asked for, and when turned off', () => {
    expect(validationCacheDir({ CI: 'true' })).toBeUndefined();
    expect(validationCacheDir({ CI: '1' })).toBeUndefined();
    expect(validationCacheDir({ CI: 'false', LA_VALIDATION_CACHE_DIR: '/x' })).toBe('/x');
    expect(validationCacheDir({ CI: 'true', LA_VALIDATION_CACHE: 'on', LA_VALIDATION_CACHE_DIR: '/x' })).toBe('/x');
    expect(validationCacheDir({ LA_VALIDATION_CACHE: 'off' })).toBeUndefined();
  });
});

describe('compliance with a warm cache', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  /**
   * Synthesizes two stacks (so cfn-guard may run in parallel), one bucket with an acknowledged
   * finding and one stale acknowledgment; returns everything the gates saw.
   */
  function synth(extraBucket: boolean) {
    const app = new App({ outdir: path.join(work, `out-${Math.random()}`) });
    const compliance = Compliance.attach(app);
    const stage = new Stage(app, 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stack = new Stack(stage, 'S');
    new Stack(stage, 'T').templateOptions.description = 'second template';
    new s3.CfnBucket(stack, 'Plain');
    if (extraBucket) {
      new s3.CfnBucket(stack, 'Second');
    }
    const acknowledgments = applyAcknowledgments(stage, committedConfigs().dev, [
      { id: 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check', path: 'S/Plain', reason: 'test' },
      { id: 'cdk-validator-cfnguard::no_such_rule', path: 'S/Plain', reason: 'test' },
    ]);
    let error: string | undefined;
    try {
      app.synth();
    } catch (e) {
      // The report's copy lives in each run's own output directory.
      error = (e as Error).message.replace(/A copy of this report can be found in: .*/, '');
    }
    const findings = compliance
      .rawFindings(app)
      .map((f) => `${f.id} ${f.path}`)
      .sort();
    return { error, findings, stale: staleAcknowledgments(acknowledgments, compliance.rawFindings(app)) };
  }

  test('cold and warm runs see the same findings, acknowledgments and stale ones; a changed template is validated again', () => {
    process.env.LA_VALIDATION_CACHE = 'on';
    process.env.LA_VALIDATION_CACHE_DIR = path.join(work, 'cache');
    process.env.LA_GUARD_PROCESSES = '1';
    const validate = jest.spyOn(CfnGuardValidator.prototype, 'validate');

    const cold = synth(false);
    expect(validate).toHaveBeenCalledTimes(1);
    const warm = synth(false);
    expect(validate).toHaveBeenCalledTimes(1);
    expect(warm).toEqual(cold);
    expect(cold.findings).toContain('cdk-validator-cfnguard::s3_bucket_versioning_enabled_check Dev/S/Plain');
    expect(cold.stale).toEqual(['dev: cdk-validator-cfnguard::no_such_rule at Dev/S/Plain matches no finding']);
    // The acknowledged finding is filtered from the failure; the unacknowledged ones still fail.
    expect(cold.error).toMatch(/s3_bucket_logging_enabled_check/);
    expect(cold.error).not.toMatch(/s3_bucket_versioning_enabled_check/);

    const changed = synth(true);
    // Only the changed template goes to cfn-guard again.
    expect(validate).toHaveBeenCalledTimes(2);
    expect(validate.mock.calls[1]?.[0].templatePaths).toEqual([
      expect.stringMatching(/DevS[0-9A-F]{8}\.template\.json$/),
    ]);
    expect(changed.findings).toContain('cdk-validator-cfnguard::s3_bucket_versioning_enabled_check Dev/S/Second');
  });

  test('cfn-guard in parallel processes finds what one process finds', () => {
    process.env.LA_VALIDATION_CACHE = 'off';
    process.env.LA_GUARD_PROCESSES = '1';
    const serial = synth(true);
    process.env.LA_GUARD_PROCESSES = '2';
    const validate = jest.spyOn(CfnGuardValidator.prototype, 'validate');
    const parallel = synth(true);
    // Two groups went to the runner's own processes, not through this one.
    expect(validate).not.toHaveBeenCalled();
    expect(parallel).toEqual(serial);
    expect(serial.findings.length).toBeGreaterThan(10);
  });
});

describe('parallel cfn-guard settings', () => {
  test('templates are grouped by size, largest first, each to the lightest group', () => {
    const sized = (name: string, bytes: number) => {
      const file = path.join(work, name);
      fs.writeFileSync(file, 'x'.repeat(bytes));
      return file;
    };
    const [a, b, c, d] = [sized('a', 100), sized('b', 60), sized('c', 50), sized('d', 10)];
    expect(groupsBySize([d, c, b, a], 2)).toEqual([
      [a, d],
      [b, c],
    ]);
    expect(groupsBySize([a, b], 4)).toEqual([[a], [b]]);
    expect(groupsBySize([], 2)).toEqual([]);
  });

  test('LA_GUARD_PROCESSES takes a whole number of at least 1', () => {
    expect(guardProcesses({ LA_GUARD_PROCESSES: '3' })).toBe(3);
    expect(guardProcesses({})).toBeGreaterThanOrEqual(1);
    for (const bad of ['abc', '0', '1.5', '-2']) {
      expect(() => guardProcesses({ LA_GUARD_PROCESSES: bad })).toThrow(`LA_GUARD_PROCESSES is "${bad}"`);
    }
  });
});
