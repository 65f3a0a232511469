import { isWholeNumber, known, problemsOf, type Problem, type Rule } from '../shared/problems';
import { subnetLayoutProblems } from './subnet-layout';
import { cidrsOverlap, parseIpv4Cidr } from '../shared/cidr';

/** AWS's default quota of rules per network ACL and direction. */
export const MAX_ACL_RULES_PER_DIRECTION = 20;

/**
 * What the network rules read, defaults already applied. Paths of problems name these fields, except
 * a tier's, which sit at `[tier]` or `[tier, index]` under the tier's own name (`publicSubnetCidrs`
 * for the construct, `public` for the config): a caller maps them to its own paths.
 */
export interface NetworkRuleInput {
  /** The VPC's IPv4 block. */
  readonly vpcCidr: string;
  /** Availability zones the VPC spans. */
  readonly availabilityZones: readonly string[];
  /** Tier name to subnet CIDRs, in availability-zone order. */
  readonly tiers: Readonly<Record<string, readonly string[]>>;
  /** NAT gateways. */
  readonly natGateways: number;
  /**
   * TCP ports the database tier serves.
   *
   * @default - not checked (the config schema has none: the construct's default applies)
   */
  readonly databaseTierPorts?: readonly number[];
}

/**
 * Network ACL entries per direction: per AZ, ingress is the ports plus return traffic from both
 * tiers; egress is replies and HTTPS to both tiers plus the ports within the database tier.
 */
function aclRulesPerDirection(ports: readonly number[], azCount: number): number {
  return Math.max(2 * azCount * (ports.length + 1), azCount * (4 + ports.length));
}

const portsText = (ports: readonly number[] | undefined): string => JSON.stringify(ports);

/**
 * One row per rule beyond the subnet layout. Every row skips values that are tokens (known only at
 * deploy time), so a construct given a token is never rejected for the token's placeholder text.
 */
const RULES: ReadonlyArray<Rule<NetworkRuleInput>> = [
  {
    path: ['natGateways'],
    broken: ({ natGateways: nat, availabilityZones: azs }) => known(nat, azs) && !isWholeNumber(nat, 1, azs.length),
    message: ({ natGateways, availabilityZones: { length: azCount } }) =>
      `${natGateways} NAT gateways for ${azCount} availability zones; the application tier needs egress, so use a whole number from 1 (cheap) to ${azCount} (one per AZ)`,
  },
  {
    path: ['databaseTierPorts'],
    broken: ({ databaseTierPorts: ports }) =>
      ports !== undefined &&
      known(...ports) &&
      (ports.length === 0 || ports.some((port) => !isWholeNumber(port, 1, 65535))),
    message: ({ databaseTierPorts }) => `${portsText(databaseTierPorts)} must list TCP ports between 1 and 65535`,
  },
  {
    path: ['databaseTierPorts'],
    broken: ({ databaseTierPorts: ports, availabilityZones: azs }) =>
      ports !== undefined &&
      known(azs, ...ports) &&
      aclRulesPerDirection(ports, azs.length) > MAX_ACL_RULES_PER_DIRECTION,
    message: ({ databaseTierPorts = [], availabilityZones }) =>
      `${portsText(databaseTierPorts)} need ${aclRulesPerDirection(databaseTierPorts, availabilityZones.length)} network ACL rules per direction, above the default quota of ${MAX_ACL_RULES_PER_DIRECTION}; serve fewer ports from the database tier`,
  },
];

/** Reported before the subnet layout's problems, whose per-AZ counts it explains. */
const ZONE_RULE: Rule<NetworkRuleInput> = {
  path: ['availabilityZones'],
  broken: ({ availabilityZones: azs }) => known(azs) && azs.length < 2,
  message: ({ availabilityZones: { length } }) =>
    `${length} zone(s); give at least 2 so the tiers survive an AZ outage`,
};

/**
 * Every reason a three-tier network cannot be built, in order: fewer than two availability zones,
 * the subnet layout's problems (`subnetLayoutProblems`: invalid CIDRs, a VPC block of the wrong size,
 * a tier without one subnet per AZ, subnets outside the VPC or overlapping), a NAT gateway count
 * outside 1 to one per AZ, database-tier ports that are not TCP ports or need more network ACL
 * entries than the default quota.
 *
 * The one home of these rules: `Network` throws them all at once, the config schema reports them
 * under `network` (and `availabilityZones`), both with the same words.
 */
export function networkProblems(input: NetworkRuleInput): Problem[] {
  return [
    ...problemsOf(input, [ZONE_RULE]),
    ...subnetLayoutProblems({
      vpcCidr: input.vpcCidr,
      tiers: input.tiers,
      azCount: input.availabilityZones.length,
    }),
    ...problemsOf(input, RULES),
  ];
}

/**
 * Whether two VPC blocks share addresses (invalid blocks never do: their own rules report them).
 * Networks meant to be peered, such as a home network and its standby, must not.
 */
export function vpcCidrsOverlap(a: string, b: string): boolean {
  const first = parseIpv4Cidr(a);
  const second = parseIpv4Cidr(b);
  return !('error' in first) && !('error' in second) && cidrsOverlap(first, second);
}
