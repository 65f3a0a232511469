/**
 * Sizes of IPv4 subnets AWS accepts: "The allowed block size is between a /28 netmask and /16
 * netmask" (the VPC's own block has the same range, checked by the network construct's rules).
 *
 * Source: https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
 */
export const SUBNET_PREFIX_RANGE = { min: 16, max: 28 } as const;
