import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CLOUDFRONT_REGION, WebAcl, WebAclRuleAction, WebAclRules } from '../../constructs/edge';
import { ValidationError } from '../../constructs/shared';
import { metricStat } from '../support/metrics';
import { testStack } from '../support/test-stack';

const stack = (region = 'us-east-1') => testStack({ id: 'Edge', region });

describe('WebAcl', () => {
  test('another team adds its own rule without editing the construct; rules render in priority order', () => {
    const s = stack();
    const acl = new WebAcl(s, 'Acl', {
      name: 'test',
      logEncryptionKey: new kms.Key(s, 'Key'),
      rules: [WebAclRules.awsManaged('AWSManagedRulesCommonRuleSet', 30), WebAclRules.rateLimitPerIp('Rate', 0, 500)],
    });
    acl.addRule({
      name: 'BlockAdminPaths',
      priority: 5,
      action: WebAclRuleAction.BLOCK,
      statement: {
        byteMatchStatement: {
          fieldToMatch: { uriPath: {} },
          positionalConstraint: 'STARTS_WITH',
          searchString: '/admin',
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
    });
    expect(acl.ruleNames).toEqual(['Rate', 'BlockAdminPaths', 'AWSManagedRulesCommonRuleSet']);
    const rules = Object.values(Template.fromStack(s).findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;
    expect(rules.map((r: { Name: string }) => r.Name)).toEqual([
      'Rate',
      'BlockAdminPaths',
      'AWSManagedRulesCommonRuleSet',
    ]);
    expect(rules[1]).toMatchObject({ Action: { Block: {} }, VisibilityConfig: { MetricName: 'BlockAdminPaths' } });
  });

  test('managed groups can run in count mode for a trial', () => {
    const s = stack();
    new WebAcl(s, 'Acl', {
      name: 'test',
      logEncryptionKey: new kms.Key(s, 'Key'),
      rules: [WebAclRules.awsManaged('AWSManagedRulesSQLiRuleSet', 1, { countOnly: true })],
    });
    Template.fromStack(s).hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: [
        {
          Name: 'AWSManagedRulesSQLiRuleSet',
          OverrideAction: { Count: {} },
          Priority: 1,
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesSQLiRuleSet' } },
          VisibilityConfig: {
            CloudWatchMetricsEnabled: true,
            SampledRequestsEnabled: true,
            MetricName: 'AWSManagedRulesSQLiRuleSet',
          },
        },
      ],
    });
  });

  test('a country block list renders as a blocking geo match', () => {
    const s = stack();
    new WebAcl(s, 'Acl', {
      name: 'test',
      logEncryptionKey: new kms.Key(s, 'Key'),
      rules: [WebAclRules.blockCountries('BlockedCountries', 1, ['KP', 'IR'])],
    });
    Template.fromStack(s).hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: [
        {
          Name: 'BlockedCountries',
          Priority: 1,
          Action: { Block: {} },
          Statement: { GeoMatchStatement: { CountryCodes: ['KP', 'IR'] } },
          VisibilityConfig: {
            CloudWatchMetricsEnabled: true,
            SampledRequestsEnabled: true,
            MetricName: 'BlockedCountries',
          },
        },
      ],
    });
  });

  test('rejects clashing names or priorities, and CLOUDFRONT scope outside us-east-1', () => {
    const s = stack();
    const acl = new WebAcl(s, 'Acl', { name: 'test', logEncryptionKey: new kms.Key(s, 'Key') });
    acl.addRule(WebAclRules.rateLimitPerIp('Rate', 0, 500));
    expect(() => acl.addRule(WebAclRules.blockCountries('Geo', 0, ['KP']))).toThrow(
      /clashes with "Rate" \(priority 0\)/,
    );
    expect(() => acl.addRule(WebAclRules.blockCountries('Rate', 9, ['KP']))).toThrow(ValidationError);
    const eu = stack('eu-west-1');
    expect(() => new WebAcl(eu, 'Acl', { name: 'test', logEncryptionKey: new kms.Key(eu, 'Key') })).toThrow(
      /a CLOUDFRONT web ACL must be created in us-east-1, not eu-west-1/,
    );
    expect(CLOUDFRONT_REGION).toBe('us-east-1');
  });

  test('CLOUDFRONT scope in an environment-agnostic stack: the region is unknown, so nothing is refused', () => {
    const agnostic = new Stack(new App({ builtinCloudFormationValidation: false }), 'Agnostic');
    expect(Token.isUnresolved(agnostic.region)).toBe(true);
    new WebAcl(agnostic, 'Acl', { name: 'test', logEncryptionKey: new kms.Key(agnostic, 'Key') });
    Template.fromStack(agnostic).hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
  });
});

describe('WebAclRules.baseline', () => {
  /** The rendered rules of a web ACL holding the baseline built from `props`. */
  function rendered(props: Parameters<typeof WebAclRules.baseline>[0]): any[] {
    const s = stack();
    new WebAcl(s, 'Acl', { name: 'test', logEncryptionKey: new kms.Key(s, 'Key'), rules: WebAclRules.baseline(props) });
    return Object.values(Template.fromStack(s).findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;
  }

  test('everything enabled: every rule at its fixed priority, IP checks first', () => {
    const rules = rendered({
      rateLimitPerFiveMinutes: 1000,
      blockedCountries: ['KP', 'IR'],
      anonymousIpList: true,
      botControl: true,
    });
    expect(rules.map((r) => [r.Priority, r.Name])).toEqual([
      [0, 'RateLimitPerIp'],
      [1, 'BlockedCountries'],
      [10, 'AWSManagedRulesAmazonIpReputationList'],
      [20, 'AWSManagedRulesAnonymousIpList'],
      [30, 'AWSManagedRulesCommonRuleSet'],
      [40, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [50, 'AWSManagedRulesSQLiRuleSet'],
      [60, 'AWSManagedRulesBotControlRuleSet'],
    ]);
    expect(rules[0]).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
    });
    expect(rules[1]).toMatchObject({
      Action: { Block: {} },
      Statement: { GeoMatchStatement: { CountryCodes: ['KP', 'IR'] } },
    });
    expect(rules[7].Statement.ManagedRuleGroupStatement.ManagedRuleGroupConfigs).toEqual([
      { AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } },
    ]);
    for (const rule of rules.slice(2)) {
      expect(rule.OverrideAction).toEqual({ None: {} });
      expect(rule.Statement.ManagedRuleGroupStatement.VendorName).toBe('AWS');
    }
  });

  test('only the rules an app cannot live with count: body size and hosting-provider IPs', () => {
    const rules = rendered({ rateLimitPerFiveMinutes: 1000, anonymousIpList: true, botControl: true });
    const overrides = Object.fromEntries(
      rules.map((r) => [r.Name, r.Statement.ManagedRuleGroupStatement?.RuleActionOverrides]),
    );
    expect(overrides).toEqual({
      RateLimitPerIp: undefined,
      AWSManagedRulesAmazonIpReputationList: undefined,
      AWSManagedRulesAnonymousIpList: [{ Name: 'HostingProviderIPList', ActionToUse: { Count: {} } }],
      AWSManagedRulesCommonRuleSet: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
      AWSManagedRulesKnownBadInputsRuleSet: undefined,
      AWSManagedRulesSQLiRuleSet: undefined,
      AWSManagedRulesBotControlRuleSet: undefined,
    });
  });

  test('by default: no country block, no anonymous IP list, no Bot Control; priorities unchanged', () => {
    const rules = rendered({ rateLimitPerFiveMinutes: 2000 });
    expect(rules.map((r) => [r.Priority, r.Name])).toEqual([
      [0, 'RateLimitPerIp'],
      [10, 'AWSManagedRulesAmazonIpReputationList'],
      [30, 'AWSManagedRulesCommonRuleSet'],
      [40, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [50, 'AWSManagedRulesSQLiRuleSet'],
    ]);
    expect(rules[0].Statement.RateBasedStatement.Limit).toBe(2000);
    // An empty country list is no rule at all (WAF refuses an empty geo match).
    expect(rendered({ rateLimitPerFiveMinutes: 2000, blockedCountries: [] }).map((r) => r.Name)).not.toContain(
      'BlockedCountries',
    );
  });

  test('another rule fits in a gap of the baseline', () => {
    const s = stack();
    const acl = new WebAcl(s, 'Acl', {
      name: 'test',
      logEncryptionKey: new kms.Key(s, 'Key'),
      rules: WebAclRules.baseline({ rateLimitPerFiveMinutes: 1000 }),
    });
    acl.addRule(WebAclRules.blockCountries('Extra', 5, ['KP']));
    expect(acl.ruleNames.slice(0, 3)).toEqual(['RateLimitPerIp', 'Extra', 'AWSManagedRulesAmazonIpReputationList']);
  });
});

describe('WebAcl metrics', () => {
  function acl(scope: 'CLOUDFRONT' | 'REGIONAL', region: string) {
    const s = stack(region);
    const webAcl = new WebAcl(s, 'Acl', {
      name: 'shop-prod',
      scope,
      logEncryptionKey: new kms.Key(s, 'Key'),
      rules: [WebAclRules.rateLimitPerIp('Rate', 0, 500)],
    });
    return { s, webAcl };
  }

  test('CLOUDFRONT scope: WebACL and Rule=ALL, no Region dimension, stored in us-east-1, sum over 5 minutes', () => {
    const { s, webAcl } = acl('CLOUDFRONT', 'us-east-1');
    const common = {
      namespace: 'AWS/WAFV2',
      statistic: 'Sum',
      period: 300,
      region: 'us-east-1',
      dimensions: { WebACL: 'shop-prod', Rule: 'ALL' },
    };
    expect(metricStat(s, webAcl.metricAllowedRequests(), { withRegion: true })).toEqual({
      ...common,
      metricName: 'AllowedRequests',
    });
    expect(metricStat(s, webAcl.metricBlockedRequests(), { withRegion: true })).toEqual({
      ...common,
      metricName: 'BlockedRequests',
    });
    expect(metricStat(s, webAcl.metric('CountedRequests'), { withRegion: true })).toEqual({
      ...common,
      metricName: 'CountedRequests',
    });
  });

  test('REGIONAL scope: a Region dimension with the stack region', () => {
    const { s, webAcl } = acl('REGIONAL', 'eu-west-1');
    expect(metricStat(s, webAcl.metricBlockedRequests(), { withRegion: true })).toMatchObject({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      region: undefined,
      dimensions: { WebACL: 'shop-prod', Rule: 'ALL', Region: 'eu-west-1' },
    });
  });

  test("blocked requests of one rule: Rule is the rule's metric name; an unknown rule is refused", () => {
    const { s, webAcl } = acl('CLOUDFRONT', 'us-east-1');
    expect(metricStat(s, webAcl.metricRuleBlockedRequests('Rate'), { withRegion: true })).toEqual({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      statistic: 'Sum',
      period: 300,
      region: 'us-east-1',
      dimensions: { WebACL: 'shop-prod', Rule: 'Rate' },
    });
    expect(() => webAcl.metricRuleBlockedRequests('Nope')).toThrow(
      /no rule "Nope" in this web ACL; its rules are Rate/,
    );
  });

  test('options override the defaults', () => {
    const { s, webAcl } = acl('CLOUDFRONT', 'us-east-1');
    expect(
      metricStat(s, webAcl.metricBlockedRequests({ statistic: 'Maximum', period: Duration.minutes(1) }), {
        withRegion: true,
      }),
    ).toMatchObject({
      statistic: 'Maximum',
      period: 60,
      dimensions: { WebACL: 'shop-prod', Rule: 'ALL' },
    });
  });
});
