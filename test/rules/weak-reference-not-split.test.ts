import { CfnOutput, Fn } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'WeakReferenceNotSplit';
const weak = () => Fn.getStackOutput('Producer', 'ListenerArn');

describe('DeployReadiness-WeakReferenceNotSplit', () => {
  test('flags a property that splits a weak reference', () => {
    const stack = ruleStack();
    new ssm.StringParameter(stack, 'Name', { stringValue: Fn.select(1, Fn.split('/', weak())) });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Name')).toEqual([
      `DeployReadiness-${RULE}[Split:ListenerArn]`,
    ]);
  });

  test('accepts a weak reference used whole, and a split of a value of this stack', () => {
    const stack = ruleStack();
    new ssm.StringParameter(stack, 'Whole', { stringValue: weak() });
    const local = new ssm.StringParameter(stack, 'Local', { stringValue: 'a/b' });
    new ssm.StringParameter(stack, 'Part', { stringValue: Fn.select(1, Fn.split('/', local.stringValue)) });
    new CfnOutput(stack, 'Out', { value: weak() });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});
