import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'KmsKeyAdministrationRestricted';

function keyWith(statements: object[]) {
  const stack = ruleStack();
  new kms.CfnKey(stack, 'Key', { keyPolicy: { Version: '2012-10-17', Statement: statements } });
  return stack;
}

const ROOT = { AWS: 'arn:aws:iam::123456789012:root' };

describe('DeployReadiness-KmsKeyAdministrationRestricted', () => {
  test("flags CDK's default key policy (kms:* for the account root)", () => {
    const stack = ruleStack();
    new kms.Key(stack, 'Key');
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Key')).toEqual([
      `DeployReadiness-${RULE}[kms:PutKeyPolicy]`,
      `DeployReadiness-${RULE}[kms:ScheduleKeyDeletion]`,
    ]);
  });

  test('flags wildcards that cover key administration (kms:Put*, kms:Schedule*)', () => {
    const stack = keyWith([
      { Effect: 'Allow', Principal: ROOT, Action: ['kms:Put*', 'kms:Schedule*', 'kms:Describe*'], Resource: '*' },
    ]);
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([
      `DeployReadiness-${RULE}[kms:PutKeyPolicy]`,
      `DeployReadiness-${RULE}[kms:ScheduleKeyDeletion]`,
    ]);
  });

  test('accepts the account statement narrowed to a key-admin principal by aws:PrincipalArn', () => {
    const stack = keyWith([
      {
        Effect: 'Allow',
        Principal: ROOT,
        Action: 'kms:*',
        Resource: '*',
        Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/key-admin' } },
      },
    ]);
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('accepts administration granted to a named role, and usage granted to the account', () => {
    const stack = ruleStack();
    const admin = new iam.Role(stack, 'KeyAdmin', { assumedBy: new iam.AccountRootPrincipal() });
    new kms.CfnKey(stack, 'Key', {
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: admin.roleArn }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Allow', Principal: ROOT, Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
        ],
      },
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('a condition that does not name principals (kms:ViaService) does not narrow administration', () => {
    const stack = keyWith([
      {
        Effect: 'Allow',
        Principal: ROOT,
        Action: 'kms:ScheduleKeyDeletion',
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}[kms:ScheduleKeyDeletion]`]);
  });
});
