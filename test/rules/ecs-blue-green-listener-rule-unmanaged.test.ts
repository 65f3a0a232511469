import { CfnResource, Token, type Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'EcsBlueGreenListenerRuleUnmanaged';

function listenerRule(stack: Stack, id: string): elbv2.CfnListenerRule {
  return new elbv2.CfnListenerRule(stack, id, {
    listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/lb/1/2',
    priority: 1,
    actions: [
      { type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/1' },
    ],
    conditions: [{ field: 'path-pattern', pathPatternConfig: { values: ['/*'] } }],
  });
}

function blueGreenService(stack: Stack, production: string, test: string): void {
  new ecs.CfnService(stack, 'Service', {
    cluster: 'cluster',
    taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
    loadBalancers: [
      {
        containerName: 'web',
        containerPort: 3000,
        targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1',
        advancedConfiguration: {
          alternateTargetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/green/1',
          productionListenerRule: production,
          testListenerRule: test,
          roleArn: 'arn:aws:iam::123456789012:role/ecs-infrastructure',
        },
      },
    ],
  });
}

describe('DeployReadiness-EcsBlueGreenListenerRuleUnmanaged', () => {
  test('flags CloudFormation-managed listener rules named by a blue/green service', () => {
    const stack = ruleStack();
    const production = listenerRule(stack, 'Production');
    const testRule = listenerRule(stack, 'TestRule');
    blueGreenService(stack, production.ref, testRule.attrRuleArn);
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Service')).toEqual([
      `DeployReadiness-${RULE}[ProductionListenerRule:Production]`,
      `DeployReadiness-${RULE}[TestListenerRule:TestRule]`,
    ]);
  });

  test('accepts listener rules owned by a custom resource that never sends their actions on update', () => {
    const stack = ruleStack();
    const rule = (id: string) =>
      Token.asString(
        new CfnResource(stack, id, {
          type: 'Custom::ListenerRule',
          properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider' },
        }).getAtt('RuleArn'),
      );
    blueGreenService(stack, rule('Production'), rule('TestRule'));
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('accepts listener rules given by ARN (not managed by this stack)', () => {
    const stack = ruleStack();
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/lb/1/2/3';
    blueGreenService(stack, arn, arn);
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});
