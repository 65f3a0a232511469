import { WITHOUT_DOMAIN, acknowledge, guard, type AcknowledgmentEntry } from './shared';

/** Reviewed findings of the edge layer. */
export const EDGE_ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  // --- Edge layer -------------------------------------------------------------------------------
  ...acknowledge(
    ['AwsSolutions-CFR3', guard('cloudfront_access_logs_enabled_check')],
    'Edge/Cdn/Resource',
    'Standard logs are on, as logging v2: CloudWatch Logs delivers them (Edge/Cdn/StandardLogs) as JSON to the ' +
      'access-logs bucket under a bucket policy. The rules only read the legacy Logging property, which needs bucket ACLs.',
  ),
  ...acknowledge(
    [
      'AwsSolutions-CFR4',
      guard('cloudfront_custom_ssl_certificate_check'),
      guard('cloudfront_sni_enabled_check'),
      guard('cloudfront_security_policy_check'),
    ],
    'Edge/Cdn/Resource',
    "dev has no domain, so it serves on the *.cloudfront.net name with CloudFront's default certificate, whose " +
      'security policy cannot be chosen. Environments with a domain use their own certificate, SNI and TLSv1.2_2021.',
    WITHOUT_DOMAIN,
  ),
  ...acknowledge(
    ['AwsSolutions-CFR1'],
    'Edge/Cdn/Resource',
    'The app is served worldwide on purpose; geo restriction is available per environment in config ' +
      '(edge.geoRestriction) and the web ACL can block countries (edge.waf.blockedCountries).',
  ),
  ...acknowledge(
    [guard('cloudfront_default_root_object_configured_check')],
    'Edge/Cdn/Resource',
    'Next.js renders "/" itself; a default root object would rewrite "/" to a file the app does not serve.',
  ),
  ...acknowledge(
    [guard('cloudfront_origin_failover_enabled_check')],
    'Edge/Cdn/Resource',
    'Origin groups fail over only GET, HEAD and OPTIONS, while the app takes POSTs on every path; availability ' +
      'comes from the load balancer and tasks across three AZs. Failover to another region belongs to the DR layer.',
  ),
];
