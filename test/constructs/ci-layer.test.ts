import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../lib/config-loader';
import { ciStackPlans, regionsOf } from '../../lib/layers';
import { CiStack } from '../../stacks';
import { committedConfigs, loadWith, schemaMessages } from '../support/config';

const configs = committedConfigs();
const plans = ciStackPlans(Object.values(configs));

describe('CI stacks from config (one per account)', () => {
  test('one stack per account, each with the deploy roles of its environments', () => {
    expect(plans.map((plan) => plan.id)).toEqual(['Ci-111111111111', 'Ci-222222222222', 'Ci-333333333333']);
    expect(plans.map((plan) => plan.props.deployRoles.map((role) => role.environment))).toEqual([
      ['dev'],
      ['staging'],
      ['prod'],
    ]);
    for (const plan of plans) {
      expect(plan.props.terminationProtection).toBe(true);
      expect(plan.props.repository).toBe('example-org/learning-assistant');
    }
  });

  test("a deploy role may assume the bootstrap roles of every region of its environment's stacks", () => {
    expect(regionsOf(configs.dev)).toEqual(['eu-west-1', 'us-east-1']);
    // Backup on: the DR and standby stacks live in drRegion.
    expect(regionsOf(configs.prod)).toEqual(['eu-west-1', 'us-east-1', 'eu-central-1']);
    const prod = plans.find((plan) => plan.id === 'Ci-333333333333')!;
    expect(prod.props.deployRoles[0]).toMatchObject({
      regions: regionsOf(configs.prod),
      roleName: 'learning-assistant-github-deploy-prod',
      maxSessionHours: 1,
    });
  });

  test('pull requests get a read-only diff role in dev and staging, not in prod', () => {
    expect(plans.map((plan) => plan.props.diffRole?.roleName)).toEqual([
      'learning-assistant-github-diff',
      'learning-assistant-github-diff',
      undefined,
    ]);
  });

  test("prod's stack: the OIDC provider and a role only prod's environment jobs of the repository assume", () => {
    const app = new App();
    const plan = plans.find((p) => p.id === 'Ci-333333333333')!;
    const template = Template.fromStack(new CiStack(app, plan.id, plan.props));
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0]?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Effect: 'Allow',
        Principal: { Federated: { Ref: expect.stringMatching(/^GithubOidc/) } },
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': ['repo:example-org/learning-assistant:environment:prod'],
          },
        },
      },
    ]);
  });
});

describe('CI config', () => {
  test('a repository that is not owner/name, or a pattern, is refused at ci.repository', () => {
    expect(schemaMessages('ci.repository', (c) => (c.ci.repository = 'example-org/*'))).toHaveLength(1);
    expect(schemaMessages('ci.repository', (c) => (c.ci.repository = 'learning-assistant'))).toHaveLength(1);
    expect(schemaMessages('ci.repository', () => undefined)).toEqual([]);
  });

  test('environments sharing an account must name the same repository (one CI stack serves them)', () => {
    const load = loadWith('staging', (c) => {
      c.account = '111111111111';
      c.ci.repository = 'other-org/learning-assistant';
    });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /staging: ci\.repository: "other-org\/learning-assistant" differs from dev's "example-org\/learning-assistant" in the same account 111111111111/,
    );
  });
});
