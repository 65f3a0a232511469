import { cidrContains, cidrsOverlap, parseIpv4Cidr, type Ipv4Block } from '../shared/cidr';
import { known, type Problem } from '../shared/problems';

/** A VPC block and its subnet tiers, one CIDR per availability zone in each tier. */
export interface SubnetLayout {
  /** The VPC's IPv4 block. */
  readonly vpcCidr: string;
  /** Tier name to subnet CIDRs, in availability-zone order. */
  readonly tiers: Readonly<Record<string, readonly string[]>>;
  /** How many availability zones the VPC spans. */
  readonly azCount: number;
}

/** VPC prefix lengths AWS accepts. */
export const VPC_PREFIX_RANGE = { min: 16, max: 28 } as const;

/**
 * Every reason the layout cannot be built: invalid CIDRs, a VPC block of the wrong size,
 * a tier without exactly one subnet per AZ, subnets outside the VPC or overlapping each other.
 * A problem's `path` is `['vpcCidr']`, `[tier]` or `[tier, index]`. CIDRs that are tokens (known
 * only at deploy time) are skipped.
 *
 * Part of `networkProblems`, which the config schema and the network construct share.
 */
export function subnetLayoutProblems(layout: SubnetLayout): Problem[] {
  const problems: Problem[] = [];
  // A token VPC block is skipped like an invalid one: subnets are not tested against it.
  const parsed = known(layout.vpcCidr) ? parseIpv4Cidr(layout.vpcCidr) : undefined;
  const vpc = parsed === undefined || 'error' in parsed ? undefined : parsed;
  if (parsed !== undefined && 'error' in parsed) {
    problems.push({ path: ['vpcCidr'], message: parsed.error });
  } else if (vpc && (vpc.prefixLength < VPC_PREFIX_RANGE.min || vpc.prefixLength > VPC_PREFIX_RANGE.max)) {
    problems.push({
      path: ['vpcCidr'],
      message: `/${vpc.prefixLength} is outside the /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max} range a VPC accepts`,
    });
  }

  const placed: Array<{ label: string; block: Ipv4Block }> = [];
  for (const [tier, cidrs] of Object.entries(layout.tiers)) {
    if (cidrs.length !== layout.azCount) {
      problems.push({
        path: [tier],
        message: `${cidrs.length} subnets for ${layout.azCount} availability zones; give exactly one per AZ`,
      });
    }
    cidrs.forEach((cidr, index) => {
      if (!known(cidr)) {
        return;
      }
      const block = parseIpv4Cidr(cidr);
      if ('error' in block) {
        problems.push({ path: [tier, index], message: block.error });
        return;
      }
      if (vpc && !cidrContains(vpc, block)) {
        problems.push({ path: [tier, index], message: `"${cidr}" lies outside the VPC ${vpc.cidr}` });
      }
      const clash = placed.find((other) => cidrsOverlap(other.block, block));
      if (clash) {
        problems.push({ path: [tier, index], message: `"${cidr}" overlaps ${clash.label} (${clash.block.cidr})` });
      }
      placed.push({ label: `${tier}[${index}]`, block });
    });
  }
  return problems;
}
