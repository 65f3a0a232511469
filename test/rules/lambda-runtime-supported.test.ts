import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sam from 'aws-cdk-lib/aws-sam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RUNTIME_NOTICE_DAYS } from '../../lib/rules';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'LambdaRuntimeSupported';

function zipFunction(stack: Stack, id: string, runtime: string): void {
  new lambda.CfnFunction(stack, id, {
    runtime,
    handler: 'index.handler',
    role: 'arn:aws:iam::123456789012:role/fn',
    code: { zipFile: 'exports.handler = async () => undefined;' },
  });
}

describe('DeployReadiness-LambdaRuntimeSupported', () => {
  test('flags a runtime past its end of support, naming the date', () => {
    const stack = ruleStack();
    zipFunction(stack, 'Old', 'python3.10');
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}[python3.10:2026-10-31]`]);
  });

  test('accepts a supported runtime', () => {
    const stack = ruleStack();
    zipFunction(stack, 'Current', 'nodejs24.x');
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test(`starts refusing a runtime ${RUNTIME_NOTICE_DAYS} days before its end of support, on a fixed day`, () => {
    // nodejs22.x: end of support 2027-04-30, refused from 2026-11-01.
    const before = ruleStack();
    zipFunction(before, 'Fn', 'nodejs22.x');
    expect(idsOf(deployReadinessFindings(before, { today: new Date('2026-10-31T23:59:59Z') }), RULE)).toEqual([]);
    const after = ruleStack();
    zipFunction(after, 'Fn', 'nodejs22.x');
    expect(idsOf(deployReadinessFindings(after, { today: new Date('2026-11-01T00:00:00Z') }), RULE)).toEqual([
      `DeployReadiness-${RULE}[nodejs22.x:2027-04-30]`,
    ]);
  });

  test('flags a runtime the table does not know, so a new one gets its date added', () => {
    const stack = ruleStack();
    zipFunction(stack, 'Future', 'python9.9');
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}[Unknown:python9.9]`]);
  });

  test('does not apply to a container-image function (no Runtime)', () => {
    const stack = ruleStack();
    new lambda.CfnFunction(stack, 'Image', {
      packageType: 'Image',
      role: 'arn:aws:iam::123456789012:role/fn',
      code: { imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/fn:1' },
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('flags a hosted rotation function without Runtime under the 2020-07-23 transform: python3.10', () => {
    const stack = ruleStack();
    stack.addTransform('AWS::SecretsManager-2020-07-23');
    new secretsmanager.CfnRotationSchedule(stack, 'Rotation', {
      secretId: 'secret',
      hostedRotationLambda: { rotationType: 'PostgreSQLSingleUser' },
      rotationRules: { automaticallyAfterDays: 30 },
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([
      `DeployReadiness-${RULE}[Default:python3.10:2026-10-31]`,
    ]);
  });

  test('accepts a hosted rotation function without Runtime under the 2024-09-16 transform: AWS vends it', () => {
    const stack = ruleStack();
    stack.addTransform('AWS::SecretsManager-2024-09-16');
    new secretsmanager.CfnRotationSchedule(stack, 'Rotation', {
      secretId: 'secret',
      hostedRotationLambda: { rotationType: 'PostgreSQLSingleUser' },
      rotationRules: { automaticallyAfterDays: 30 },
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('flags a pinned Runtime under the 2024-09-16 transform: its binaries would not match', () => {
    const stack = ruleStack();
    stack.addTransform('AWS::SecretsManager-2024-09-16');
    new secretsmanager.CfnRotationSchedule(stack, 'Rotation', {
      secretId: 'secret',
      hostedRotationLambda: { rotationType: 'PostgreSQLSingleUser', runtime: 'python3.13' },
      rotationRules: { automaticallyAfterDays: 30 },
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([
      `DeployReadiness-${RULE}[Pinned:AWS::SecretsManager-2024-09-16]`,
    ]);
  });

  test('accepts a hosted rotation function with a supported Runtime under the 2020-07-23 transform', () => {
    const stack = ruleStack();
    stack.addTransform('AWS::SecretsManager-2020-07-23');
    new secretsmanager.CfnRotationSchedule(stack, 'Rotation', {
      secretId: 'secret',
      hostedRotationLambda: { rotationType: 'PostgreSQLSingleUser', runtime: 'python3.13' },
      rotationRules: { automaticallyAfterDays: 30 },
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('flags a deprecated runtime of a SAM function (transforms included)', () => {
    const stack = ruleStack();
    new sam.CfnFunction(stack, 'Sam', { runtime: 'python3.9', handler: 'app.handler', codeUri: 's3://b/k.zip' });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}[python3.9:2025-12-15]`]);
  });

  test("checks CDK's own provider functions (AWS::Lambda::Function)", () => {
    const stack = ruleStack();
    new lambda.Function(stack, 'Provider', {
      runtime: lambda.Runtime.NODEJS_18_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
    });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Provider')).toEqual([
      `DeployReadiness-${RULE}[nodejs18.x:2025-09-01]`,
    ]);
  });
});
