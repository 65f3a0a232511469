import * as s3 from 'aws-cdk-lib/aws-s3';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'S3AccessLogDestinationUnlocked';

describe('DeployReadiness-S3AccessLogDestinationUnlocked', () => {
  test('flags a server-access-log destination with Object Lock, naming the bucket whose logs it would lose', () => {
    const stack = ruleStack();
    const logs = new s3.Bucket(stack, 'Logs', { objectLockEnabled: true });
    new s3.Bucket(stack, 'Data', { serverAccessLogsBucket: logs });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Logs')).toEqual([
      expect.stringMatching(new RegExp(`^DeployReadiness-${RULE}\\[LogsOf:Data[0-9A-F]{8}\\]$`)),
    ]);
  });

  test('accepts a destination without Object Lock', () => {
    const stack = ruleStack();
    const logs = new s3.Bucket(stack, 'Logs');
    new s3.Bucket(stack, 'Data', { serverAccessLogsBucket: logs, objectLockEnabled: true });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('does not apply to a locked bucket that receives no server access logs', () => {
    const stack = ruleStack();
    new s3.Bucket(stack, 'Vault', { objectLockEnabled: true });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});
