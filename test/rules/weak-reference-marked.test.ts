import { App, CfnParameter, CfnResource, Lazy, type Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { WEAK_REFERENCE_METADATA_KEY } from '../../constructs/shared';
import { EnvironmentStack } from '../../stacks/environment-stack';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'WeakReferenceMarked';

function consumer(stack: Stack, stackName: unknown = 'Producer'): void {
  new CfnResource(stack, 'Consumer', {
    type: 'AWS::SSM::Parameter',
    properties: {
      Type: 'String',
      Value: { 'Fn::GetStackOutput': { StackName: stackName, Region: 'eu-west-1', OutputName: 'BucketName' } },
    },
  });
}

describe('DeployReadiness-WeakReferenceMarked', () => {
  test('flags a Fn::GetStackOutput whose producer output has no marker in the template', () => {
    const stack = ruleStack();
    consumer(stack);
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Consumer')).toEqual([
      `DeployReadiness-${RULE}[eu-west-1/Producer:BucketName]`,
    ]);
  });

  test('accepts a marker for the producer and output, also when it is a Lazy value', () => {
    const stack = ruleStack();
    consumer(stack);
    stack.addMetadata(
      WEAK_REFERENCE_METADATA_KEY,
      Lazy.any({ produce: () => ({ 'eu-west-1/Producer': { BucketName: 'digest' } }) }),
    );
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('accepts an output read twice by one resource once it is marked', () => {
    const stack = ruleStack();
    const read = { 'Fn::GetStackOutput': { StackName: 'Producer', Region: 'eu-west-1', OutputName: 'BucketName' } };
    new CfnResource(stack, 'Consumer', {
      type: 'AWS::SSM::Parameter',
      properties: { Type: 'String', Value: { 'Fn::Join': ['/', [read, read]] } },
    });
    stack.addMetadata(WEAK_REFERENCE_METADATA_KEY, { 'eu-west-1/Producer': { BucketName: 'digest' } });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('flags a reference whose stack name is computed, which no marker can follow', () => {
    const stack = ruleStack();
    consumer(stack, new CfnParameter(stack, 'ProducerName').value);
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}[Computed]`]);
  });

  test('accepts the weak references between EnvironmentStacks, which write their markers', () => {
    const app = new App({
      context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak', 'aws:cdk:bundling-stacks': [] },
    });
    const env = { account: '123456789012', region: 'eu-west-1' };
    const producer = new EnvironmentStack(app, 'Producer', { env, availabilityZones: ['eu-west-1a'] });
    const bucket = new s3.Bucket(producer, 'Bucket');
    const consuming = new EnvironmentStack(app, 'Consuming', { env, availabilityZones: ['eu-west-1a'] });
    new CfnResource(consuming, 'Reader', {
      type: 'AWS::SSM::Parameter',
      properties: { Type: 'String', Value: bucket.bucketName },
    });
    const findings = deployReadinessFindings(consuming);
    // The reference is weak (else this test proves nothing), and the marker covers it.
    const template = app.synth().getStackByName(consuming.stackName).template as Record<string, unknown>;
    expect(JSON.stringify(template.Resources)).toContain('Fn::GetStackOutput');
    expect(idsOf(findings, RULE)).toEqual([]);
  });
});
