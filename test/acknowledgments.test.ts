import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StaleAcknowledgmentError, applyAcknowledgments, staleAcknowledgments } from '../lib/acknowledgments';
import type { Finding } from '../lib/compliance';

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
