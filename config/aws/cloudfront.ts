/**
 * IDs of the AWS-managed prefix list `com.amazonaws.global.cloudfront.origin-facing`, per region.
 * The list is global in content but has a different ID in each region, the same in every account,
 * so an environment that moves region must take the new region's ID (the load balancer admits it).
 *
 * Source: `aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing`
 * in each region, as published in AWS samples and cross-checked in several public templates
 * (https://aws.amazon.com/blogs/networking-and-content-delivery/limit-access-to-your-origins-using-the-aws-managed-prefix-list-for-amazon-cloudfront/
 * describes the list). Regions without a confirmed ID are absent: there, `edge.originFacingPrefixListId`
 * must be set explicitly, and loading fails until it is.
 */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS: Readonly<Record<string, string>> = {
  'ap-northeast-1': 'pl-58a04531',
  'ap-northeast-2': 'pl-22a6434b',
  'ap-south-1': 'pl-9aa247f3',
  'ap-southeast-1': 'pl-31a34658',
  'ap-southeast-2': 'pl-b8a742d1',
  'ca-central-1': 'pl-38a64351',
  'eu-central-1': 'pl-a3a144ca',
  'eu-north-1': 'pl-fab65393',
  'eu-west-1': 'pl-4fa04526',
  'eu-west-2': 'pl-93a247fa',
  'eu-west-3': 'pl-75b1541c',
  'sa-east-1': 'pl-5da64334',
  'us-east-1': 'pl-3b927c52',
  'us-east-2': 'pl-b6a144df',
  'us-west-1': 'pl-4ea04527',
  'us-west-2': 'pl-82a045eb',
};

/** The origin-facing prefix list of `region`, when the table knows it. */
export function originFacingPrefixListOf(region: string): string | undefined {
  return Object.hasOwn(CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS, region)
    ? CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS[region]
    : undefined;
}

/** The region whose origin-facing prefix list `id` is, when the table knows it. */
export function regionOfOriginFacingPrefixList(id: string): string | undefined {
  return Object.entries(CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS).find(([, listId]) => listId === id)?.[0];
}
