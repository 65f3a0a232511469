import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  GithubDeployRole,
  GithubOidcProvider,
  githubDeployRoleProblems,
  githubSubjects,
  type GithubDeployRoleProps,
  type GithubDeployRoleRuleInput,
} from '../../constructs/ci';
import { CiStack } from '../../stacks/ci-stack';
import { testStack, thrown } from '../support/test-stack';

function build(overrides: Partial<GithubDeployRoleProps> = {}) {
  const stack = testStack();
  const provider = new GithubOidcProvider(stack, 'Github');
  const role = new GithubDeployRole(stack, 'Deploy', {
    provider,
    repository: 'acme/shop',
    environments: ['prod'],
    regions: ['eu-west-1', 'us-east-1'],
    ...overrides,
  });
  return { stack, provider, role, template: Template.fromStack(stack) };
}

/** The bootstrap role ARN the policy names, as CloudFormation renders it. */
const bootstrapArn = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role/${name}`]],
});

const onlyRole = (template: Template) => {
  const roles = Object.values(template.findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  return roles[0].Properties;
};

describe('GithubDeployRole', () => {
  test('trusts only tokens of the provider for sts.amazonaws.com whose subject is exactly the environment of the repository', () => {
    const { stack, provider, template } = build();
    expect(onlyRole(template).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: { Ref: stack.getLogicalId(provider.node.defaultChild as iam.CfnOIDCProvider) } },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': ['repo:acme/shop:environment:prod'],
            },
          },
        },
      ],
    });
  });

  test('environments, branches and pull requests each add their exact subject, never a pattern', () => {
    const { role, template } = build({
      environments: ['staging', 'prod'],
      branches: ['main', 'release/2026'],
      pullRequests: true,
      bootstrapRoles: ['lookup'],
    });
    const subjects = [
      'repo:acme/shop:environment:staging',
      'repo:acme/shop:environment:prod',
      'repo:acme/shop:ref:refs/heads/main',
      'repo:acme/shop:ref:refs/heads/release/2026',
      'repo:acme/shop:pull_request',
    ];
    expect(role.subjects).toEqual(subjects);
    const trust = onlyRole(template).AssumeRolePolicyDocument;
    expect(trust.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toEqual(subjects);
    expect(JSON.stringify(trust)).not.toMatch(/StringLike|\*/);
  });

  test('may only assume and tag sessions of the four bootstrap roles in each region, in one customer-managed policy', () => {
    const { template, role, stack } = build();
    const names = ['eu-west-1', 'us-east-1'].flatMap((region) =>
      ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
        (kind) => `cdk-hnb659fds-${kind}-role-123456789012-${region}`,
      ),
    );
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const [policyId, policy] = Object.entries(policies)[0]!;
    expect(policy.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeCdkBootstrapRoles',
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Resource: names.map(bootstrapArn),
        },
      ],
    });
    expect(stack.resolve(role.bootstrapRoleArns)).toEqual(names.map(bootstrapArn));
    const props = onlyRole(template);
    expect(props.ManagedPolicyArns).toEqual([{ Ref: policyId }]);
    // Nothing else: no inline policy, no other policy resource, no AWS-managed policy.
    expect(props.Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('sessions last at most one hour; the name and qualifier are props', () => {
    const { template } = build({ roleName: 'shop-github-deploy-prod', qualifier: 'shop1', regions: ['eu-west-1'] });
    const props = onlyRole(template);
    expect(props.MaxSessionDuration).toBe(3600);
    expect(props.RoleName).toBe('shop-github-deploy-prod');
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toEqual(
      ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((kind) =>
        bootstrapArn(`cdk-shop1-${kind}-role-123456789012-eu-west-1`),
      ),
    );
    expect(props.Description).toBe(
      'GitHub Actions of acme/shop (environment:prod): assumes the CDK bootstrap roles (deploy, file-publishing, image-publishing, lookup) only',
    );
  });

  test('longer sessions for long deployments', () => {
    expect(onlyRole(build({ maxSessionHours: 3 }).template).MaxSessionDuration).toBe(10800);
  });

  test('a pull requests role reaches the lookup role only', () => {
    const { template } = build({
      environments: [],
      pullRequests: true,
      bootstrapRoles: ['lookup'],
      regions: ['eu-west-1'],
    });
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    // One resource: CDK renders it as a string, not a list.
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toEqual(
      bootstrapArn('cdk-hnb659fds-lookup-role-123456789012-eu-west-1'),
    );
  });

  test('grants to the role are refused: its permissions stay the bootstrap roles', () => {
    const stack = testStack();
    const role = new GithubDeployRole(stack, 'Deploy', {
      provider: new GithubOidcProvider(stack, 'Github'),
      repository: 'acme/shop',
      environments: ['prod'],
      regions: ['eu-west-1'],
    });
    const bucket = new s3.Bucket(stack, 'Bucket');
    bucket.grantRead(role.role);
    role.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('s3:GetObject');
  });

  test('an imported provider is trusted by its ARN', () => {
    const stack = testStack();
    const provider = iam.OidcProviderNative.fromOidcProviderArn(
      stack,
      'Github',
      'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    );
    new GithubDeployRole(stack, 'Deploy', {
      provider,
      repository: 'acme/shop',
      environments: ['dev'],
      regions: ['eu-west-1'],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
          }),
        ],
      },
    });
  });

  describe('rejects', () => {
    const message = (overrides: Partial<GithubDeployRoleProps>) => thrown(() => build(overrides));

    test.each([
      ['acme/*', /repository: "acme\/\*" is a pattern: the role must trust exactly one repository/],
      ['*/shop', /repository: "\*\/shop" is a pattern/],
      ['acme/sh?p', /repository: "acme\/sh\?p" is a pattern/],
      ['acme', /repository: "acme" is not a GitHub repository; give owner\/name/],
      ['acme/shop/web', /repository: "acme\/shop\/web" is not a GitHub repository/],
      ['-acme/shop', /repository: "-acme\/shop" is not a GitHub repository/],
      ['acme/..', /repository: "acme\/\.\." is not a GitHub repository/],
      ['ac me/shop', /repository: "ac me\/shop" is not a GitHub repository/],
    ])('the repository %s', (repository, expected) => {
      expect(message({ repository })).toMatch(expected);
    });

    test('a role no job could assume', () => {
      expect(message({ environments: [] })).toMatch(/environments: no job could assume the role/);
    });

    test('environments and branches that are patterns or not names', () => {
      expect(message({ environments: ['prod*', ' prod', ''] })).toMatch(
        /environments: "prod\*", " prod", "": not the name of one GitHub environment/,
      );
      expect(message({ branches: ['refs/heads/main', 'feature/*', 'a..b'] })).toMatch(
        /branches: "refs\/heads\/main", "feature\/\*", "a\.\.b": not the name of one branch/,
      );
      expect(message({ environments: ['prod', 'prod'] })).toMatch(/environments: "prod" listed more than once/);
    });

    test('pull requests reaching more than the lookup role', () => {
      expect(message({ pullRequests: true })).toMatch(
        /pullRequests: a role pull requests can assume must stay read-only, but it may assume "deploy", "file-publishing", "image-publishing"/,
      );
    });

    test('bootstrap roles that are none, unknown or repeated', () => {
      expect(message({ bootstrapRoles: [] })).toMatch(/bootstrapRoles: the role could do nothing/);
      expect(message({ bootstrapRoles: ['cfn-exec' as never] })).toMatch(
        /bootstrapRoles: "cfn-exec": not a bootstrap role a CI role may assume/,
      );
      expect(message({ bootstrapRoles: ['lookup', 'lookup'] })).toMatch(
        /bootstrapRoles: "lookup" listed more than once/,
      );
    });

    test('a session length IAM does not accept', () => {
      expect(message({ maxSessionHours: 13 })).toMatch(/maxSessionHours: 13 is not a session length IAM accepts/);
      expect(message({ maxSessionHours: 1.5 })).toMatch(/maxSessionHours: 1\.5 is not a session length/);
    });

    test('regions and qualifiers AWS and cdk bootstrap do not know', () => {
      expect(message({ regions: [] })).toMatch(/regions: no region/);
      expect(message({ regions: ['EU-west-1'] })).toMatch(/regions: "EU-west-1": not an AWS region/);
      expect(message({ qualifier: 'much-too-long' })).toMatch(
        /qualifier: "much-too-long" is not a bootstrap qualifier/,
      );
    });

    test("a provider of another issuer than GitHub's", () => {
      const stack = testStack();
      const provider = iam.OidcProviderNative.fromOidcProviderArn(
        stack,
        'Gitlab',
        'arn:aws:iam::123456789012:oidc-provider/gitlab.com',
      );
      expect(
        thrown(
          () =>
            new GithubDeployRole(stack, 'Deploy', {
              provider,
              repository: 'acme/shop',
              environments: ['prod'],
              regions: ['eu-west-1'],
            }),
        ),
      ).toMatch(/provider: the provider is for "gitlab\.com", not GitHub Actions/);
    });

    test('every problem at once, each with its field', () => {
      const text = message({ repository: 'acme/*', environments: [], regions: [], qualifier: '' });
      expect(text).toMatch(/^Test\/Deploy: 4 invalid props:/);
      expect(
        text
          .split('\n')
          .slice(1)
          .map((line) => line.trim().split(':')[0]),
      ).toEqual(['repository', 'environments', 'regions', 'qualifier']);
    });
  });
});

describe('githubDeployRoleProblems and githubSubjects', () => {
  const VALID: GithubDeployRoleRuleInput = {
    repository: 'Acme-Corp/learning.assistant_infra',
    environments: ['prod'],
    branches: ['main'],
    pullRequests: false,
    regions: ['eu-west-1', 'us-east-1', 'eu-central-1'],
    bootstrapRoles: ['deploy', 'file-publishing', 'image-publishing', 'lookup'],
    qualifier: 'hnb659fds',
    maxSessionHours: 1,
  };

  test('find nothing wrong with a deploy role and with a pull requests role', () => {
    expect(githubDeployRoleProblems(VALID)).toEqual([]);
    expect(
      githubDeployRoleProblems({
        ...VALID,
        environments: [],
        branches: [],
        pullRequests: true,
        bootstrapRoles: ['lookup'],
      }),
    ).toEqual([]);
  });

  test('subjects follow GitHub’s default format, case kept', () => {
    expect(githubSubjects({ ...VALID, pullRequests: true })).toEqual([
      'repo:Acme-Corp/learning.assistant_infra:environment:prod',
      'repo:Acme-Corp/learning.assistant_infra:ref:refs/heads/main',
      'repo:Acme-Corp/learning.assistant_infra:pull_request',
    ]);
  });
});

describe('CiStack', () => {
  function ciStack(props: Partial<ConstructorParameters<typeof CiStack>[2]> = {}) {
    const app = new App();
    const stack = new CiStack(app, 'Ci-111111111111', {
      env: { account: '111111111111', region: 'eu-west-1' },
      repository: 'acme/shop',
      deployRoles: [
        {
          environment: 'staging',
          regions: ['eu-west-1', 'us-east-1', 'eu-central-1'],
          roleName: 'shop-github-deploy-staging',
        },
        {
          environment: 'prod',
          regions: ['eu-west-1', 'us-east-1', 'eu-central-1'],
          roleName: 'shop-github-deploy-prod',
        },
      ],
      ...props,
    });
    return { stack, template: Template.fromStack(stack) };
  }

  test('one provider and one deploy role per environment of the account, each trusted by its environment only', () => {
    const { stack, template } = ciStack();
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    const roles = Object.values(template.findResources('AWS::IAM::Role')).map((r) => [
      r.Properties.RoleName,
      r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[
        'token.actions.githubusercontent.com:sub'
      ],
    ]);
    expect(roles).toEqual([
      ['shop-github-deploy-staging', ['repo:acme/shop:environment:staging']],
      ['shop-github-deploy-prod', ['repo:acme/shop:environment:prod']],
    ]);
    expect(Object.keys(stack.deployRoles)).toEqual(['staging', 'prod']);
    expect(stack.diffRole).toBeUndefined();
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(Object.keys(outputs)).toEqual(['DeployStagingRoleArn', 'DeployProdRoleArn']);
    expect(outputs.DeployProdRoleArn!.Description).toBe('GitHub environment "prod": variable AWS_DEPLOY_ROLE_ARN');
    expect(outputs.DeployProdRoleArn!.Value).toEqual(stack.resolve(stack.deployRoles.prod!.roleArn));
  });

  test('with a diff role: trusted by pull requests, reaching the lookup roles only', () => {
    const { template } = ciStack({ diffRole: { regions: ['eu-west-1', 'us-east-1'], roleName: 'shop-github-diff' } });
    const diff = Object.values(template.findResources('AWS::IAM::Role')).find(
      (r) => r.Properties.RoleName === 'shop-github-diff',
    )!;
    expect(diff.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': ['repo:acme/shop:pull_request'],
    });
    const policyId = (diff.Properties.ManagedPolicyArns as Array<{ Ref: string }>)[0]!.Ref;
    const policy = template.toJSON().Resources[policyId];
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-eu-west-1',
          ],
        ],
      },
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-us-east-1',
          ],
        ],
      },
    ]);
    expect(Object.keys(template.toJSON().Outputs)).toContain('DiffRoleArn');
  });

  test("an account's existing provider is used, not created", () => {
    const arn = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
    const { template } = ciStack({ existingProviderArn: arn });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Federated: arn });
    }
  });
});
