/**
 * The region of CloudFront's control plane, US East (N. Virginia). A CLOUDFRONT-scope web ACL, a
 * viewer certificate and a distribution's standard-log delivery source must be created there, and
 * CloudWatch holds CloudFront's metrics, and those of CLOUDFRONT-scope web ACLs, there.
 */
export const CLOUDFRONT_REGION = 'us-east-1';
