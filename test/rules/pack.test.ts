import { CfnResource, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagMessageLevel } from 'cdk-nag';
import { DEPLOY_READINESS_RULES, DEPLOY_READINESS_RULE_IDS, DeployReadinessChecks } from '../../lib/rules';
import { deployReadinessFindings, ruleStack } from './support';

describe('DeployReadinessChecks', () => {
  test('names every rule DeployReadiness-<function name>, once', () => {
    expect(DEPLOY_READINESS_RULE_IDS).toHaveLength(DEPLOY_READINESS_RULES.length);
    expect(new Set(DEPLOY_READINESS_RULE_IDS).size).toBe(DEPLOY_READINESS_RULE_IDS.length);
    for (const id of DEPLOY_READINESS_RULE_IDS) {
      expect(id).toMatch(/^DeployReadiness-[A-Z][A-Za-z0-9]+$/);
    }
    expect(new DeployReadinessChecks().ruleIds).toEqual(DEPLOY_READINESS_RULE_IDS);
  });

  test('every rule says what to do', () => {
    for (const entry of DEPLOY_READINESS_RULES) {
      expect(entry.info.length).toBeGreaterThan(80);
      expect(entry.explanation.length).toBeGreaterThan(80);
    }
  });

  test('reports at ERROR level, so a finding fails synthesis', () => {
    const stack = ruleStack();
    new ec2.CfnSecurityGroup(stack, 'Bare', { groupDescription: 'no egress', vpcId: 'vpc-1' });
    const app = stack.node.root;
    Validations.of(app).addPlugins(new DeployReadinessChecks(app));
    expect(() => (app as unknown as { synth(): unknown }).synth()).toThrow(/DeployReadiness-SecurityGroupInlineEgress/);
    expect(NagMessageLevel.ERROR).toBe('Error');
  });

  test('follows the acknowledgment registry: an acknowledged finding is not reported', () => {
    const stack = ruleStack();
    const group = new ec2.CfnSecurityGroup(stack, 'Bare', { groupDescription: 'no egress', vpcId: 'vpc-1' });
    Validations.of(group).acknowledge({
      id: 'DeployReadiness-SecurityGroupInlineEgress',
      reason: 'test: the group is reviewed and accepted as it is',
    });
    expect(deployReadinessFindings(stack)).toEqual([]);
  });

  test('a rule that cannot read a resource reports it instead of passing it', () => {
    const stack = ruleStack();
    new CfnResource(stack, 'Fn', {
      type: 'AWS::Lambda::Function',
      properties: {
        Runtime: { 'Fn::If': ['Cond', 'nodejs24.x', 'python3.13'] },
        LoggingConfig: { LogGroup: 'owned' },
      },
    });
    expect(deployReadinessFindings(stack).map((f) => f.id)).toEqual([
      'DeployReadiness-LambdaRuntimeSupported[Unresolved:{"Fn::If":["Cond","nodejs24.x","python3.13"]}]',
    ]);
  });
});
