import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'RetainedNameReleasedOnFailedCreate';

describe('DeployReadiness-RetainedNameReleasedOnFailedCreate', () => {
  test('flags a named resource kept by a failed first create (DeletionPolicy Retain)', () => {
    const stack = ruleStack();
    new logs.LogGroup(stack, 'Named', { logGroupName: '/app/named', removalPolicy: RemovalPolicy.RETAIN });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Named')).toEqual([`DeployReadiness-${RULE}`]);
  });

  test('accepts RetainExceptOnCreate on a named resource', () => {
    const stack = ruleStack();
    new logs.LogGroup(stack, 'Named', {
      logGroupName: '/app/named',
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('does not apply to a retained resource with a generated name (a retry gets a new one)', () => {
    const stack = ruleStack();
    new logs.LogGroup(stack, 'Generated', { removalPolicy: RemovalPolicy.RETAIN });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});
