import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SERVICE_PRINCIPALS } from '../../lib/rules';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'IamServiceTrustSourceCondition';

describe('DeployReadiness-IamServiceTrustSourceCondition', () => {
  test('flags a role a service that sends aws:SourceAccount may assume without that condition', () => {
    const stack = ruleStack();
    new iam.Role(stack, 'Monitoring', { assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com') });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Monitoring')).toEqual([
      `DeployReadiness-${RULE}[monitoring.rds.amazonaws.com]`,
    ]);
  });

  test('accepts the same role with an aws:SourceAccount condition', () => {
    const stack = ruleStack();
    new iam.Role(stack, 'Monitoring', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test("accepts a Lambda function's execution role: Lambda documents no source keys on AssumeRole", () => {
    const stack = ruleStack();
    new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
    });
    expect(SERVICE_PRINCIPALS['lambda.amazonaws.com']?.sendsSourceKeys).toBe(false);
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Fn')).toEqual([]);
  });

  test('does not demand the condition from a service that does not send it on AssumeRole', () => {
    expect(SERVICE_PRINCIPALS['ec2.amazonaws.com']?.sendsSourceKeys).toBe(false);
    const stack = ruleStack();
    new iam.Role(stack, 'Instance', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('flags a service the table does not know yet, so someone checks and records it', () => {
    const stack = ruleStack();
    new iam.Role(stack, 'New', { assumedBy: new iam.ServicePrincipal('newservice.amazonaws.com') });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([
      `DeployReadiness-${RULE}[Unknown:newservice.amazonaws.com]`,
    ]);
  });

  test('every entry of the service table names its source', () => {
    for (const entry of Object.values(SERVICE_PRINCIPALS)) {
      expect(entry.source.length).toBeGreaterThan(40);
    }
  });
});
