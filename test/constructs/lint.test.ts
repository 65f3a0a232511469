import { Aspects, CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GeneratedProviderLint, ignoreLintChecks } from '../../constructs/shared';
import { testStack } from '../support/test-stack';

describe('cfn-lint acknowledgments on single resources', () => {
  test('ignoreLintChecks merges checks into the resource metadata, once each', () => {
    const stack = testStack();
    const resource = new CfnResource(stack, 'Thing', { type: 'AWS::SNS::Topic' });
    ignoreLintChecks(resource, ['W3005']);
    ignoreLintChecks(resource, ['W3005', 'W1020']);
    Template.fromStack(stack).hasResource('AWS::SNS::Topic', {
      Metadata: { 'cfn-lint': { config: { ignore_checks: ['W3005', 'W1020'] } } },
    });
  });

  test("GeneratedProviderLint marks aws-cdk-lib's provider handlers only", () => {
    const stack = testStack();
    // restrictDefaultSecurityGroup brings aws-cdk-lib's singleton custom-resource provider.
    new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [], restrictDefaultSecurityGroup: true });
    new CfnResource(stack, 'Handler', { type: 'AWS::Lambda::Function' });
    Aspects.of(stack).add(new GeneratedProviderLint());
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const marked = Object.entries(functions)
      .filter(([, f]) => f.Metadata?.['cfn-lint']?.config?.ignore_checks?.includes('W3005'))
      .map(([id]) => id);
    expect(Object.keys(functions)).toHaveLength(2);
    expect(marked).toEqual([expect.stringMatching(/^CustomVpcRestrictDefaultSGCustomResourceProviderHandler/)]);
  });
});
