import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from './ci-rules';

/** Properties of a {@link GithubOidcProvider}. */
export interface GithubOidcProviderProps {
  /**
   * What happens to the provider when it leaves the stack. An account has one provider per issuer,
   * and roles outside this stack may trust it too: deleting it would lock all of them out.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The account's IAM OIDC identity provider for GitHub Actions (`https://token.actions.githubusercontent.com`),
 * accepting tokens for the audience `sts.amazonaws.com` that `aws-actions/configure-aws-credentials`
 * requests. A native `AWS::IAM::OIDCProvider`: no custom resource, no Lambda.
 *
 * No thumbprint is configured: IAM verifies GitHub's certificate against its own library of trusted
 * root CAs and ignores thumbprints for this issuer; without a list, IAM records one at creation.
 *
 * An account holds at most one provider per URL: where one exists already (created by hand or by
 * another stack), creating this fails with "already exists". Import that one instead with
 * `iam.OidcProviderNative.fromOidcProviderArn` and pass it to the roles.
 *
 * It is an `iam.OidcProviderNative` (and so an `iam.IOidcProvider`), whose `CfnOIDCProvider` is the
 * child `Resource`.
 */
export class GithubOidcProvider extends iam.OidcProviderNative {
  /** The issuer URL of GitHub Actions' tokens. */
  public static readonly ISSUER_URL = `https://${GITHUB_OIDC_HOST}`;

  /**
   * Whether `provider` is GitHub Actions' provider, as far as synthesis can tell: a
   * `GithubOidcProvider`, or an imported provider whose ARN names the GitHub issuer. A provider
   * whose issuer is known only at deploy time is taken on trust (`undefined`).
   */
  public static isGithubProvider(provider: iam.IOidcProvider): boolean | undefined {
    if (provider instanceof GithubOidcProvider) {
      return true;
    }
    const issuer = provider.oidcProviderIssuer;
    return Token.isUnresolved(issuer) ? undefined : issuer === GITHUB_OIDC_HOST;
  }

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps = {}) {
    super(scope, id, {
      url: GithubOidcProvider.ISSUER_URL,
      clientIds: [GITHUB_OIDC_AUDIENCE],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
