import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { PROJECT_TITLE, canaryUserAgentOf, resourcePrefixOf, type EnvironmentConfig } from '../../config';
import type { ComputeStack, DataStack, EdgeStackProps, EnvironmentStackProps } from '../../stacks';
import { keyAdministratorsOf, removalPolicyOf } from './common';
import { alarmRecipientsOf } from './monitoring';

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
    distributionComment: `${resourcePrefixOf(config)}: ${PROJECT_TITLE}`,
    loadBalancer: compute.web.loadBalancer,
    logsBucket: data.logsBucket,
    waf: {
      rateLimitPerFiveMinutes: edge.waf.rateLimitPerFiveMinutes,
      blockedCountries: edge.waf.blockedCountries,
      anonymousIpList: edge.waf.anonymousIpList,
      botControl: edge.waf.botControl,
      // The canary is no browser and runs from AWS addresses: Bot Control would block every run.
      botControlExemptUserAgents: config.monitoring.syntheticCheck.enabled ? [canaryUserAgentOf(config)] : [],
    },
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
    keyAdministrators: keyAdministratorsOf(config),
    monitoring: {
      recipients: alarmRecipientsOf(config),
      additionalMetrics: config.monitoring.cloudFrontAdditionalMetrics,
      thresholds: {
        cloudFront5xxPercent: config.monitoring.thresholds.cloudFront5xxPercent,
        originLatencyMs: config.monitoring.thresholds.originLatencyMs,
        wafBlockedPerFiveMinutes: config.monitoring.thresholds.wafBlockedPerFiveMinutes,
      },
    },
  };
}
