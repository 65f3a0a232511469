import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { WebAcl, WebAclRules, type BaselineWebAclRulesProps } from '../../constructs/edge';
import { testStack } from '../support/test-stack';
import { inScope, matches } from './waf-statement-evaluator';

/** The Bot Control managed rule group statement of a baseline web ACL built from `props`. */
function botControl(props: Partial<BaselineWebAclRulesProps> = {}): any {
  const s = testStack({ id: 'Edge', region: 'us-east-1' });
  new WebAcl(s, 'Acl', {
    name: 'test',
    logEncryptionKey: new kms.Key(s, 'Key'),
    rules: WebAclRules.baseline({ rateLimitPerFiveMinutes: 1000, botControl: true, ...props }),
  });
  const rules = Object.values(Template.fromStack(s).findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;
  return rules.find((r: any) => r.Name === 'AWSManagedRulesBotControlRuleSet').Statement.ManagedRuleGroupStatement;
}

const ROUTE53 = { 'User-Agent': 'Amazon-Route53-Health-Check-Service (ref 1234; report http://amzn.to/1vsZADi)' };
const PYTHON = { 'User-Agent': 'python-requests/2.32.3' };
const BROWSER = { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' };

describe('Bot Control scope', () => {
  test('the rendered statement: everything but /api/, on the decoded and normalized path; no rule overridden', () => {
    const statement = botControl();
    expect(statement.ScopeDownStatement).toEqual({
      NotStatement: {
        Statement: {
          ByteMatchStatement: {
            FieldToMatch: { UriPath: {} },
            PositionalConstraint: 'STARTS_WITH',
            SearchString: '/api/',
            TextTransformations: [
              { Priority: 0, Type: 'URL_DECODE' },
              { Priority: 1, Type: 'NORMALIZE_PATH' },
            ],
          },
        },
      },
    });
    // Pages keep every Bot Control rule blocking: scraping libraries and data-centre bots included.
    expect(statement.RuleActionOverrides).toBeUndefined();
    expect(statement.ManagedRuleGroupConfigs).toEqual([
      { AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } },
    ]);
  });

  test("Route 53's health check of /api/health and API clients are out of Bot Control's scope", () => {
    const statement = botControl();
    expect(inScope(statement, { path: '/api/health', headers: ROUTE53 })).toBe(false);
    expect(inScope(statement, { path: '/api/courses/42', headers: PYTHON })).toBe(false);
    expect(inScope(statement, { path: '/api/health/', headers: ROUTE53 })).toBe(false);
  });

  test("the site's canary is exempt on every path; the same name from another account or canary is not", () => {
    const canary = 'CloudWatchSynthetics/arn:aws:synthetics:eu-west-1:333333333333:canary:la-prod-site';
    const statement = botControl({ botControlExemptUserAgents: [canary] });
    const as = (userAgent: string, path = '/') => inScope(statement, { path, headers: { 'User-Agent': userAgent } });
    expect(as(canary)).toBe(false);
    expect(as(`${canary} ExtraInfo`)).toBe(false);
    expect(as(canary, '/api/health')).toBe(false);
    expect(as('CloudWatchSynthetics/arn:aws:synthetics:eu-west-1:444444444444:canary:la-prod-site')).toBe(true);
    expect(as(`x ${canary}`)).toBe(true);
    expect(as(BROWSER['User-Agent'])).toBe(true);
    // The API stays out of scope for everyone, as without the exemption.
    expect(as(PYTHON['User-Agent'], '/api/courses')).toBe(false);
    expect(statement.ScopeDownStatement.AndStatement.Statements).toHaveLength(2);
  });

  test('pages, assets and the root stay in scope, whoever asks', () => {
    const statement = botControl();
    for (const path of ['/', '/dashboard', '/courses/42', '/_next/static/chunks/app.js', '/apiary', '/api']) {
      expect({ path, inScope: inScope(statement, { path, headers: PYTHON }) }).toEqual({ path, inScope: true });
      expect({ path, inScope: inScope(statement, { path, headers: BROWSER }) }).toEqual({ path, inScope: true });
    }
  });

  test('a page reached through /api/ by dot segments or encoding is not excluded', () => {
    const statement = botControl();
    for (const path of ['/api/../dashboard', '/api/%2e%2e/dashboard', '/api/..%2Fdashboard', '//api/../admin']) {
      expect({ path, inScope: inScope(statement, { path, headers: PYTHON }) }).toEqual({ path, inScope: true });
    }
  });

  test('the excluded prefixes are a prop: several are ORed, none leaves Bot Control on every path', () => {
    const several = botControl({ botControlExcludedPathPrefixes: ['/api/', '/webhooks/'] });
    expect(several.ScopeDownStatement.NotStatement.Statement.OrStatement.Statements).toHaveLength(2);
    expect(inScope(several, { path: '/webhooks/stripe', headers: PYTHON })).toBe(false);
    expect(inScope(several, { path: '/api/health', headers: ROUTE53 })).toBe(false);
    expect(inScope(several, { path: '/login', headers: PYTHON })).toBe(true);

    const none = botControl({ botControlExcludedPathPrefixes: [] });
    expect(none.ScopeDownStatement).toBeUndefined();
    expect(inScope(none, { path: '/api/health', headers: ROUTE53 })).toBe(true);
  });

  test('a prefix must be a path', () => {
    expect(() => WebAclRules.pathNotUnder(['api/'])).toThrow(/starting with '\/'/);
    expect(() => WebAclRules.pathNotUnder([])).toThrow(/at least one/);
  });

  test('the evaluator itself: header matches, AND, and unknown statements refused', () => {
    const header = {
      ByteMatchStatement: {
        FieldToMatch: { SingleHeader: { Name: 'user-agent' } },
        PositionalConstraint: 'STARTS_WITH',
        SearchString: 'amazon-route53',
        TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
      },
    };
    expect(matches(header, { path: '/', headers: ROUTE53 })).toBe(true);
    expect(
      matches(
        { AndStatement: { Statements: [header, { NotStatement: { Statement: header } }] } },
        { path: '/', headers: ROUTE53 },
      ),
    ).toBe(false);
    expect(() => matches({ GeoMatchStatement: { CountryCodes: ['KP'] } }, { path: '/' })).toThrow(/does not know/);
  });
});
