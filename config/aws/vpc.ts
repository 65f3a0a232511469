/**
 * Sizes of IPv4 subnets AWS accepts: "The allowed block size is between a /28 netmask and /16
 * netmask" (the VPC's own block has the same range, checked by the network construct's rules).
 *
 * Source: https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
 */
export const SUBNET_PREFIX_RANGE = { min: 16, max: 28 } as const;

/**
 * IDs of the AWS-managed prefix list `com.amazonaws.<region>.s3`, per region: the addresses the S3
 * gateway endpoint routes, which a security group names to allow HTTPS to S3 (ECR image layers, the
 * app's buckets) without opening the internet. The ID differs by region and is the same in every
 * account. CloudFormation exposes no attribute for it on the gateway endpoint, so it is kept here.
 *
 * Sources: eu-west-1 from the AWS Tools for PowerShell reference (`Get-EC2PrefixList` example:
 * `pl-6da54004 com.amazonaws.eu-west-1.s3`); all five cross-checked in several public templates
 * (security-group egress rules and region mappings for the S3 gateway endpoint). Verify a new one
 * with `aws ec2 describe-managed-prefix-lists --region <region> --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3`.
 * Regions without a confirmed ID are absent: there the web tasks keep HTTPS to the internet.
 */
export const S3_GATEWAY_PREFIX_LISTS: Readonly<Record<string, string>> = {
  'eu-central-1': 'pl-6ea54007',
  'eu-west-1': 'pl-6da54004',
  'us-east-1': 'pl-63a5400a',
  'us-west-1': 'pl-6ba54002',
  'us-west-2': 'pl-68a54001',
};

/** The S3 gateway prefix list of `region`, when the table knows it. */
export function s3GatewayPrefixListOf(region: string): string | undefined {
  return Object.hasOwn(S3_GATEWAY_PREFIX_LISTS, region) ? S3_GATEWAY_PREFIX_LISTS[region] : undefined;
}
