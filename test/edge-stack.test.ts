import { Match } from 'aws-cdk-lib/assertions';
import type { EnvironmentName } from '../config';
import { inScope } from './constructs/waf-statement-evaluator';
import { committedConfigs, environmentsWhere } from './support/config';
import { ENVIRONMENTS, resources, synthesized, template } from './support/synth';

const configs = committedConfigs();
const stageOf = (environment: string) => `${environment.charAt(0).toUpperCase()}${environment.slice(1)}`;
const ONE_YEAR = 31536000;

// Which branch each environment's committed config takes. The first tests pin these tables to config,
// so moving an environment to another branch fails there instead of silently testing the other one.

/** `domain` is set: a certificate, aliases, records and a health check. */
const HAS_DOMAIN = { dev: false, staging: true, prod: true } as const;

/**
 * The web ACL's rules, in order: `waf.anonymousIpList` adds the anonymous IP list (staging, prod),
 * `waf.botControl` Bot Control (prod). No environment blocks countries, which would add
 * `BlockedCountries` after the rate limit.
 */
const WAF_RULES: Readonly<Record<EnvironmentName, readonly string[]>> = {
  dev: [
    'RateLimitPerIp',
    'AWSManagedRulesAmazonIpReputationList',
    'AWSManagedRulesCommonRuleSet',
    'AWSManagedRulesKnownBadInputsRuleSet',
    'AWSManagedRulesSQLiRuleSet',
  ],
  staging: [
    'RateLimitPerIp',
    'AWSManagedRulesAmazonIpReputationList',
    'AWSManagedRulesAnonymousIpList',
    'AWSManagedRulesCommonRuleSet',
    'AWSManagedRulesKnownBadInputsRuleSet',
    'AWSManagedRulesSQLiRuleSet',
  ],
  prod: [
    'RateLimitPerIp',
    'AWSManagedRulesAmazonIpReputationList',
    'AWSManagedRulesAnonymousIpList',
    'AWSManagedRulesCommonRuleSet',
    'AWSManagedRulesKnownBadInputsRuleSet',
    'AWSManagedRulesSQLiRuleSet',
    'AWSManagedRulesBotControlRuleSet',
  ],
};
const WITH_ANONYMOUS_IP_LIST = environmentsWhere(WAF_RULES, (rules) =>
  rules.includes('AWSManagedRulesAnonymousIpList'),
);
const WITHOUT_ANONYMOUS_IP_LIST = environmentsWhere(
  WAF_RULES,
  (rules) => !rules.includes('AWSManagedRulesAnonymousIpList'),
);

/** Cache behaviours besides the default: static assets, optimized images and the API. */
const CACHE_BEHAVIORS = ['/_next/static/*', '/_next/image*', '/api/*'];

/** The Edge stack of one environment, with its distribution and web ACL. */
function edgeStack(environment: EnvironmentName) {
  const all = resources(environment, 'Edge');
  const distribution = all.find(([, r]) => r.Type === 'AWS::CloudFront::Distribution')?.[1].Properties
    ?.DistributionConfig;
  return {
    config: configs[environment],
    t: template(environment, 'Edge'),
    distribution,
    acl: all.find(([, r]) => r.Type === 'AWS::WAFv2::WebACL')![1],
    behavior: (pattern: string) => distribution.CacheBehaviors.find((b: any) => b.PathPattern === pattern),
  };
}

describe.each(ENVIRONMENTS)('%s edge stack: committed config', (environment) => {
  test('takes the branches the tables of this file expect', () => {
    const { domain, edge } = configs[environment];
    expect({
      domain: domain !== undefined,
      anonymousIpList: edge.waf.anonymousIpList,
      botControl: edge.waf.botControl,
      blockedCountries: edge.waf.blockedCountries.length > 0,
    }).toEqual({
      domain: HAS_DOMAIN[environment],
      anonymousIpList: WAF_RULES[environment].includes('AWSManagedRulesAnonymousIpList'),
      botControl: WAF_RULES[environment].includes('AWSManagedRulesBotControlRuleSet'),
      blockedCountries: WAF_RULES[environment].includes('BlockedCountries'),
    });
  });
});

describe.each(ENVIRONMENTS)('%s edge stack', (environment) => {
  const { config, t, distribution, acl, behavior } = edgeStack(environment);
  const { edge } = config;

  test('lives in us-east-1 of the environment account, beside its regional stacks', () => {
    const stack = synthesized().stacks.find((s) => s.environment === environment && s.stackId === 'Edge');
    expect(stack).toMatchObject({
      region: 'us-east-1',
      account: config.account,
      stackName: `${stageOf(environment)}-Edge`,
    });
  });

  describe('web ACL', () => {
    test('CLOUDFRONT scope, associated with the distribution', () => {
      t.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
      expect(distribution.WebACLId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebAcl/), 'Arn'] });
    });

    test('the rule set of the environment, in order', () => {
      const names = (acl.Properties?.Rules as Array<{ Name: string }>).map((r) => r.Name);
      expect(names).toEqual(WAF_RULES[environment]);
      const rate = (acl.Properties?.Rules as any[])[0];
      expect(rate).toMatchObject({
        Action: { Block: {} },
        Statement: { RateBasedStatement: { Limit: edge.waf.rateLimitPerFiveMinutes, AggregateKeyType: 'IP' } },
      });
      const managed = (acl.Properties?.Rules as any[]).filter((r) => r.Statement.ManagedRuleGroupStatement);
      expect(managed).toHaveLength(WAF_RULES[environment].filter((name) => name.startsWith('AWSManagedRules')).length);
      for (const rule of managed) {
        expect(rule.OverrideAction).toEqual({ None: {} });
        expect(rule.Statement.ManagedRuleGroupStatement.VendorName).toBe('AWS');
      }
    });

    test('managed rules that would break the app only count (body size)', () => {
      expect(ruleActionOverrides(acl).AWSManagedRulesCommonRuleSet).toEqual([
        { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
      ]);
    });

    test('logs to an encrypted CloudWatch log group with Authorization and Cookie redacted', () => {
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `aws-waf-logs-learning-assistant-${environment}`,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] },
        RetentionInDays: config.logRetentionDays,
      });
      t.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAcl'), 'Arn'] },
        RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
        LogDestinationConfigs: [
          Match.stringLikeRegexp(`^arn:aws:logs:us-east-1:${config.account}:log-group:aws-waf-logs-`),
        ],
      });
    });
  });

  describe('distribution', () => {
    test('the only origin is the internal load balancer, through a VPC origin', () => {
      expect(distribution.Origins).toHaveLength(1);
      expect(distribution.Origins[0].VpcOriginConfig).toBeDefined();
      expect(distribution.Origins[0].CustomOriginConfig).toBeUndefined();
      expect(distribution.Origins[0].S3OriginConfig).toBeUndefined();
      t.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
        VpcOriginEndpointConfig: {
          Arn: {
            'Fn::GetStackOutput': {
              StackName: `${stageOf(environment)}-Compute`,
              Region: config.region,
              OutputName: Match.stringLikeRegexp('WebLoadBalancer'),
            },
          },
          OriginSSLProtocols: ['TLSv1.2'],
        },
      });
    });

    test('each behaviour uses its own cache policy', () => {
      expect(behavior('/_next/static/*').CachePolicyId).toEqual({
        Ref: expect.stringMatching(/^CdnPoliciesStaticAssets/),
      });
      expect(behavior('/_next/image*').CachePolicyId).toEqual({ Ref: expect.stringMatching(/^CdnPoliciesImages/) });
      expect(distribution.DefaultCacheBehavior.CachePolicyId).toEqual({
        Ref: expect.stringMatching(/^CdnPoliciesPages/),
      });
    });

    test('the viewer host name reaches the app as X-Forwarded-Host on pages and API calls', () => {
      for (const b of [distribution.DefaultCacheBehavior, behavior('/api/*')]) {
        expect(b.FunctionAssociations).toEqual([
          {
            EventType: 'viewer-request',
            FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^CdnForwardedHost/), 'FunctionARN'] },
          },
        ]);
      }
      t.hasResourceProperties('AWS::CloudFront::Function', {
        FunctionCode: Match.stringLikeRegexp('x-forwarded-host'),
        FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
      });
    });

    test('static assets cached a year and compressed', () => {
      expect(behavior('/_next/static/*')).toMatchObject({ Compress: true, ViewerProtocolPolicy: 'redirect-to-https' });
      t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: {
          MinTTL: ONE_YEAR,
          DefaultTTL: ONE_YEAR,
          MaxTTL: ONE_YEAR,
          ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
            EnableAcceptEncodingBrotli: true,
            EnableAcceptEncodingGzip: true,
          }),
        },
      });
    });

    test('optimized images cached by their query parameters', () => {
      expect(behavior('/_next/image*')).toBeDefined();
      t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: Match.objectLike({
          ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
            QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['url', 'w', 'q'] },
          }),
        }),
      });
    });

    test('/api/* is never cached and forwards what the app needs', () => {
      expect(behavior('/api/*')).toMatchObject({
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader
        AllowedMethods: expect.arrayContaining(['POST', 'PUT', 'DELETE']),
      });
    });

    test("pages follow the origin's Cache-Control, kept at most 5 minutes (assets change with each deployment)", () => {
      expect(distribution.DefaultCacheBehavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
      t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: Match.objectLike({ MinTTL: 0, DefaultTTL: 0, MaxTTL: 300 }),
      });
    });

    test('HTTP/2 and HTTP/3, IPv6, price class and Origin Shield from config', () => {
      expect(distribution).toMatchObject({ HttpVersion: 'http2and3', IPV6Enabled: true, PriceClass: edge.priceClass });
      expect(distribution.Origins[0].OriginShield?.OriginShieldRegion).toBe(edge.originShieldRegion);
    });

    test('security headers on every behaviour', () => {
      t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: Match.objectLike({
          SecurityHeadersConfig: {
            StrictTransportSecurity: {
              AccessControlMaxAgeSec: 63072000,
              IncludeSubdomains: true,
              Preload: true,
              Override: true,
            },
            ContentTypeOptions: { Override: true },
            FrameOptions: { FrameOption: 'DENY', Override: true },
            ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
            ContentSecurityPolicy: { ContentSecurityPolicy: edge.contentSecurityPolicy, Override: true },
          },
        }),
      });
      expect(distribution.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(CACHE_BEHAVIORS);
      for (const b of [distribution.DefaultCacheBehavior, ...distribution.CacheBehaviors]) {
        expect(b.ResponseHeadersPolicyId).toEqual({ Ref: expect.stringMatching(/^CdnPoliciesSecurityHeaders/) });
      }
    });

    test('standard logs go to the access-logs bucket', () => {
      t.hasResourceProperties('AWS::Logs::DeliverySource', {
        LogType: 'ACCESS_LOGS',
        ResourceArn: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      });
      t.hasResourceProperties('AWS::Logs::DeliveryDestination', {
        DestinationResourceArn: Match.stringLikeRegexp(`^arn:aws:s3:::${environment}-data.*accesslogs.*/cloudfront$`),
      });
      t.resourceCountIs('AWS::Logs::Delivery', 1);
    });
  });
});

/** Each rule's name, with the action overrides of its managed rule group. */
function ruleActionOverrides(acl: { Properties?: Record<string, any> }): Record<string, unknown> {
  return Object.fromEntries(
    (acl.Properties?.Rules as any[]).map((r) => [r.Name, r.Statement.ManagedRuleGroupStatement?.RuleActionOverrides]),
  );
}

describe.each(WITH_ANONYMOUS_IP_LIST)('%s edge stack, with the anonymous IP list', (environment) => {
  const { acl } = edgeStack(environment);

  test('hosting-provider IPs only count (the app has legitimate callers there)', () => {
    expect(ruleActionOverrides(acl).AWSManagedRulesAnonymousIpList).toEqual([
      { Name: 'HostingProviderIPList', ActionToUse: { Count: {} } },
    ]);
  });
});

describe.each(WITHOUT_ANONYMOUS_IP_LIST)('%s edge stack, without the anonymous IP list', (environment) => {
  const { acl } = edgeStack(environment);

  test('no anonymous IP list rule', () => {
    expect(Object.keys(ruleActionOverrides(acl))).not.toContain('AWSManagedRulesAnonymousIpList');
  });
});

describe.each(environmentsWhere(HAS_DOMAIN, true))('%s edge stack, with a domain', (environment) => {
  const { config, t, distribution } = edgeStack(environment);
  const { edge } = config;
  const domain = config.domain!;

  test('the VPC origin speaks HTTPS to the load balancer', () => {
    t.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
  });

  test('viewer TLS 1.2 (2021) with SNI on the custom certificate', () => {
    expect(distribution.ViewerCertificate).toEqual({
      AcmCertificateArn: { Ref: expect.stringMatching(/^Certificate/) },
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(distribution.Aliases).toEqual(
      edge.recordNames.map((r) => (r === '' ? domain.zoneName : `${r}.${domain.zoneName}`)),
    );
  });

  test('certificate, alias records and a health check for the domain', () => {
    t.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: domain.zoneName,
      ValidationMethod: 'DNS',
      DomainValidationOptions: Match.arrayWith([{ DomainName: domain.zoneName, HostedZoneId: domain.hostedZoneId }]),
    });
    for (const type of ['A', 'AAAA']) {
      t.resourcePropertiesCountIs(
        'AWS::Route53::RecordSet',
        {
          Type: type,
          HostedZoneId: domain.hostedZoneId,
          AliasTarget: {
            DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cdn'), 'DomainName'] },
            HostedZoneId: Match.anyValue(),
          },
        },
        edge.recordNames.length,
      );
    }
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS',
        FullyQualifiedDomainName: domain.zoneName,
        ResourcePath: '/api/health',
        Port: 443,
      }),
    });
  });
});

describe.each(environmentsWhere(HAS_DOMAIN, false))('%s edge stack, without a domain', (environment) => {
  const { t, distribution } = edgeStack(environment);

  test('the VPC origin speaks HTTP to the load balancer', () => {
    t.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: { OriginProtocolPolicy: 'http-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
  });

  test('serves on the CloudFront domain', () => {
    expect(distribution).toBeDefined();
    expect(distribution.ViewerCertificate).toBeUndefined();
    expect(distribution.Aliases).toBeUndefined();
  });

  test('no certificate, records or health check', () => {
    t.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
    t.resourceCountIs('AWS::Route53::HealthCheck', 0);
  });
});

describe.each(environmentsWhere(WAF_RULES, (rules) => rules.includes('AWSManagedRulesBotControlRuleSet')))(
  '%s edge stack, with Bot Control',
  (environment) => {
    const { t, acl } = edgeStack(environment);
    const botControl = acl.Properties!.Rules.find((r: any) => r.Name === 'AWSManagedRulesBotControlRuleSet').Statement
      .ManagedRuleGroupStatement;
    const ROUTE53 = { 'User-Agent': 'Amazon-Route53-Health-Check-Service (ref 1; report http://amzn.to/1vsZADi)' };

    test("Bot Control never inspects the health check's path: it would block Route 53's checker", () => {
      const checks = Object.values(t.findResources('AWS::Route53::HealthCheck'));
      expect(checks.length).toBeGreaterThan(0);
      for (const check of checks) {
        const path = check.Properties.HealthCheckConfig.ResourcePath;
        expect({ path, inScope: inScope(botControl, { path, headers: ROUTE53 }) }).toEqual({ path, inScope: false });
      }
    });

    test('API clients are out of its scope, pages are in it', () => {
      expect(inScope(botControl, { path: '/api/courses', headers: { 'User-Agent': 'okhttp/4.12.0' } })).toBe(false);
      expect(inScope(botControl, { path: '/courses', headers: { 'User-Agent': 'python-requests/2.32' } })).toBe(true);
    });
  },
);

describe.each(environmentsWhere(HAS_DOMAIN, true))('%s edge stack, origin name', (environment) => {
  const { config, t, distribution } = edgeStack(environment);
  const originName = `origin.${config.domain!.zoneName}`;

  test("CloudFront reaches the load balancer by the VPC origin and checks its certificate against the origin's name", () => {
    // Origin.DomainName is the load balancer certificate's name: CloudFront's SNI and the name it
    // validates the certificate against (the viewer's Host header is not forwarded).
    expect(distribution.Origins).toEqual([
      expect.objectContaining({
        DomainName: originName,
        VpcOriginConfig: expect.objectContaining({ VpcOriginId: expect.anything() }),
      }),
    ]);
  });

  test('no DNS record for the origin name: a VPC origin is routed by its ID, not by DNS (see WebDistribution)', () => {
    const names = Object.values(t.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties.Name);
    expect(names.filter((name) => String(name).startsWith('origin.'))).toEqual([]);
  });
});

describe.each(ENVIRONMENTS)('%s edge stack, key administration', (environment) => {
  const { config, t } = edgeStack(environment);

  test("the WAF logs key is administered by the configured administrators and CloudFormation's role only", () => {
    const [key] = Object.values(t.findResources('AWS::KMS::Key'));
    const admin = key!.Properties.KeyPolicy.Statement.find((st: any) => st.Sid === 'AdministratorsAdministerTheKey');
    const principals = [admin.Principal.AWS].flat();
    const expected = [
      { 'Fn::Sub': expect.stringMatching(/:role\/cdk-[a-z0-9]+-cfn-exec-role-/) },
      ...(config.security?.keyAdministrators ?? []).map((entry) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${config.account}:${entry}`]],
      })),
    ];
    expect(principals).toHaveLength(expected.length);
    expect(principals).toEqual(expect.arrayContaining(expected));
  });
});
