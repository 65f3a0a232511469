import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { EnvironmentConfig } from '../../config';
import { WebAclRules, type WebAclRule } from '../../constructs/edge';
import type { ComputeStack, DataStack, EdgeStackProps, EnvironmentStackProps } from '../../stacks';
import { removalPolicyOf, resourcePrefixOf } from './common';

/** The web ACL's rules, in evaluation order: cheap IP checks first, then the managed groups. */
export function wafRules(config: EnvironmentConfig): WebAclRule[] {
  const { waf } = config.edge;
  return [
    WebAclRules.rateLimitPerIp('RateLimitPerIp', 0, waf.rateLimitPerFiveMinutes),
    ...(waf.blockedCountries.length > 0
      ? [WebAclRules.blockCountries('BlockedCountries', 1, [...waf.blockedCountries])]
      : []),
    WebAclRules.awsManaged('AWSManagedRulesAmazonIpReputationList', 10),
    // Hosting-provider addresses include Route 53's health checkers and many API clients: count, not block.
    ...(waf.anonymousIpList
      ? [WebAclRules.awsManaged('AWSManagedRulesAnonymousIpList', 20, { countRules: ['HostingProviderIPList'] })]
      : []),
    // The 8 KB body limit would refuse uploads and larger form posts the app accepts.
    WebAclRules.awsManaged('AWSManagedRulesCommonRuleSet', 30, { countRules: ['SizeRestrictions_BODY'] }),
    WebAclRules.awsManaged('AWSManagedRulesKnownBadInputsRuleSet', 40),
    WebAclRules.awsManaged('AWSManagedRulesSQLiRuleSet', 50),
    ...(waf.botControl
      ? [
          WebAclRules.awsManaged('AWSManagedRulesBotControlRuleSet', 60, {
            managedRuleGroupConfigs: [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }],
          }),
        ]
      : []),
  ];
}

const PRICE_CLASSES = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
} as const;

/** Edge layer props, wired to the compute and data layers of the same environment. */
export function edgeProps(
  config: EnvironmentConfig,
  compute: ComputeStack,
  data: DataStack,
): Omit<EdgeStackProps, keyof EnvironmentStackProps> {
  const { edge, domain } = config;
  const { geoRestriction } = edge;
  return {
    name: resourcePrefixOf(config),
    loadBalancer: compute.web.loadBalancer,
    logsBucket: data.logsBucket,
    wafRules: wafRules(config),
    priceClass: PRICE_CLASSES[edge.priceClass],
    geoRestriction:
      geoRestriction.type === 'allowlist'
        ? cloudfront.GeoRestriction.allowlist(...geoRestriction.countries)
        : geoRestriction.type === 'denylist'
          ? cloudfront.GeoRestriction.denylist(...geoRestriction.countries)
          : undefined,
    originShieldRegion: edge.originShieldRegion,
    contentSecurityPolicy: edge.contentSecurityPolicy,
    domain: domain && {
      zoneName: domain.zoneName,
      hostedZoneId: domain.hostedZoneId,
      recordNames: [...edge.recordNames],
      originDomainName: `origin.${domain.zoneName}`,
    },
    logRetention: config.logRetentionDays as logs.RetentionDays,
    removalPolicy: removalPolicyOf(config),
  };
}
