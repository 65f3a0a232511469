import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StaleAcknowledgmentError, applyAcknowledgments, staleAcknowledgments } from '../lib/acknowledgments';
import type { BuiltApp } from '../lib/app';
import type { Compliance, Finding } from '../lib/compliance';
import { synthesisFailures } from '../lib/synthesis-check';

function stageWithBucket() {
  const stage = new Stage(new App(), 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
  new s3.Bucket(new Stack(stage, 'Data'), 'Uploads');
  return stage;
}

const finding = (id: string, path: string): Finding => ({ id, path, level: 'error', description: 'd' });

describe('acknowledgment registry', () => {
  test('an entry naming a construct that does not exist stops with a message naming it, not a stack trace', () => {
    const entries = [{ id: 'AwsSolutions-S1', path: 'Data/Gone', reason: 'r' }];
    expect(() => applyAcknowledgments(stageWithBucket(), 'dev', entries)).toThrow(StaleAcknowledgmentError);
    expect(() => applyAcknowledgments(stageWithBucket(), 'dev', entries)).toThrow(
      '1 stale acknowledgment(s) in lib/acknowledgments/: remove or correct each entry.\n' +
        '  dev: "AwsSolutions-S1" names Dev/Data/Gone, which does not exist',
    );
  });

  test('an entry whose finding is gone is stale; one that covers a finding below its path is not', () => {
    const applied = applyAcknowledgments(stageWithBucket(), 'dev', [
      { id: 'AwsSolutions-S1', path: 'Data/Uploads', reason: 'r' },
      { id: 'AwsSolutions-S10', path: 'Data/Uploads', reason: 'r' },
    ]);
    const findings = [finding('AwsSolutions-S1', 'Dev/Data/Uploads/Resource')];
    expect(staleAcknowledgments(applied, findings)).toEqual([
      'dev: AwsSolutions-S10 at Dev/Data/Uploads matches no finding',
    ]);
  });

  test('a finding on a sibling with a common name prefix is not covered', () => {
    const applied = applyAcknowledgments(stageWithBucket(), 'dev', [
      { id: 'AwsSolutions-S1', path: 'Data/Uploads', reason: 'r' },
    ]);
    expect(staleAcknowledgments(applied, [finding('AwsSolutions-S1', 'Dev/Data/UploadsCopy/Resource')])).toHaveLength(
      1,
    );
  });
});

describe('what stops a finished synthesis (bin/app.ts)', () => {
  /** A finished synthesis: acknowledgments applied to a stage, the findings it saw, the report it wrote. */
  function finished(findings: Finding[], report?: object) {
    const stage = stageWithBucket();
    const acknowledgments = applyAcknowledgments(stage, 'dev', [
      { id: 'AwsSolutions-S1', path: 'Data/Uploads', reason: 'r' },
    ]);
    const compliance = { rawFindings: () => findings } as unknown as Compliance;
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'la-synth-'));
    if (report !== undefined) {
      fs.writeFileSync(path.join(directory, 'validation-report.json'), JSON.stringify(report));
    }
    const built: BuiltApp = { stages: {}, compliance, acknowledgments };
    return synthesisFailures(stage, built, directory);
  }
  const violation = (severity: string) => ({
    pluginReports: [
      {
        pluginName: 'cdk-nag',
        violations: [
          {
            ruleName: 'AwsSolutions-S2',
            severity,
            description: 'public access\nmore',
            violatingConstructs: [{ constructPath: 'Dev/Data/Uploads' }],
          },
        ],
      },
    ],
  });

  test('nothing, when every acknowledgment matches a finding and the report holds no error', () => {
    expect(finished([finding('AwsSolutions-S1', 'Dev/Data/Uploads/Resource')], violation('warning'))).toEqual([]);
  });

  test('an acknowledgment whose finding is gone', () => {
    expect(finished([])).toEqual([
      '1 stale acknowledgment(s) in lib/acknowledgments/: remove or correct each entry.\n' +
        '  dev: AwsSolutions-S1 at Dev/Data/Uploads matches no finding',
    ]);
  });

  test('an unacknowledged error in the report, whatever stacks the CLI selected', () => {
    const [failure] = finished([finding('AwsSolutions-S1', 'Dev/Data/Uploads/Resource')], violation('error'));
    expect(failure).toMatch(/^Compliance validation failed: 1 unacknowledged finding\(s\)/);
    expect(failure).toContain('  AwsSolutions-S2 (cdk-nag) at Dev/Data/Uploads: public access\n');
  });
});
