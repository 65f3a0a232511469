import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'S3ObjectLockDefaultRetention';

describe('DeployReadiness-S3ObjectLockDefaultRetention', () => {
  test('flags a bucket with Object Lock enabled and no default retention', () => {
    const stack = ruleStack();
    new s3.Bucket(stack, 'Logs', { objectLockEnabled: true });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Logs')).toEqual([`DeployReadiness-${RULE}`]);
  });

  test('accepts a default retention', () => {
    const stack = ruleStack();
    new s3.Bucket(stack, 'Logs', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(90)),
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('does not apply to a bucket without Object Lock', () => {
    const stack = ruleStack();
    new s3.Bucket(stack, 'Plain');
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});
