import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GithubOidcProvider } from '../../constructs/ci';
import { testStack } from '../support/test-stack';

function build(removalPolicy?: RemovalPolicy) {
  const stack = testStack();
  const provider = new GithubOidcProvider(stack, 'Github', removalPolicy === undefined ? undefined : { removalPolicy });
  return { stack, provider, template: Template.fromStack(stack) };
}

describe('GithubOidcProvider', () => {
  test('one native OIDC provider for GitHub Actions, audience sts.amazonaws.com, no thumbprint', () => {
    const { template } = build();
    const providers = template.findResources('AWS::IAM::OIDCProvider');
    expect(Object.values(providers)).toEqual([
      {
        Type: 'AWS::IAM::OIDCProvider',
        Properties: {
          Url: 'https://token.actions.githubusercontent.com',
          ClientIdList: ['sts.amazonaws.com'],
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      },
    ]);
  });

  test('is native: no custom resource and no Lambda function', () => {
    const { template } = build();
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toEqual(['AWS::IAM::OIDCProvider']);
  });

  test('the provider is the child Resource, and its ARN is its Ref', () => {
    const { stack, provider } = build();
    const cfn = provider.node.defaultChild as iam.CfnOIDCProvider;
    expect(provider.node.tryFindChild('Resource')).toBe(cfn);
    expect(stack.resolve(provider.oidcProviderArn)).toEqual({ Ref: stack.getLogicalId(cfn) });
  });

  test('is deleted with its stack only when asked', () => {
    const { template } = build(RemovalPolicy.DESTROY);
    const [provider] = Object.values(template.findResources('AWS::IAM::OIDCProvider'));
    expect(provider.DeletionPolicy).toBe('Delete');
    expect(provider.UpdateReplacePolicy).toBe('Delete');
  });

  describe('isGithubProvider', () => {
    test('a GithubOidcProvider is', () => {
      expect(GithubOidcProvider.isGithubProvider(build().provider)).toBe(true);
    });

    test("an imported provider is when its ARN names GitHub's issuer, and is not when it names another", () => {
      const stack = testStack();
      const github = iam.OidcProviderNative.fromOidcProviderArn(
        stack,
        'Github',
        'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      );
      const other = iam.OidcProviderNative.fromOidcProviderArn(
        stack,
        'Other',
        'arn:aws:iam::123456789012:oidc-provider/gitlab.com',
      );
      expect(GithubOidcProvider.isGithubProvider(github)).toBe(true);
      expect(GithubOidcProvider.isGithubProvider(other)).toBe(false);
    });

    test('a provider whose ARN is known only at deploy time is undecided', () => {
      const stack = testStack();
      const imported = iam.OidcProviderNative.fromOidcProviderArn(
        stack,
        'Imported',
        Fn.importValue('GithubProviderArn'),
      );
      expect(GithubOidcProvider.isGithubProvider(imported)).toBeUndefined();
    });
  });
});
