import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { WebAcl, WebAclRuleAction, WebAclRules } from '../../constructs/edge';
import { ValidationError } from '../../constructs/shared';

function stack(region = 'us-east-1'): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), 'Edge', {
    env: { account: '123456789012', region },
  });
}

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
  });
});
