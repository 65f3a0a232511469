import { cidrContains, cidrsOverlap, parseIpv4Cidr, type Ipv4Block } from '../shared/cidr';

/** A VPC block and its subnet tiers, one CIDR per availability zone in each tier. */
export interface SubnetLayout {
  /** The VPC's IPv4 block. */
  readonly vpcCidr: string;
  /** Tier name to subnet CIDRs, in availability-zone order. */
  readonly tiers: Readonly<Record<string, readonly string[]>>;
  /** How many availability zones the VPC spans. */
  readonly azCount: number;
}

/** One thing wrong with a layout; `path` is `['vpcCidr']`, `[tier]` or `[tier, index]`. */
export interface LayoutProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** VPC prefix lengths AWS accepts. */
export const VPC_PREFIX_RANGE = { min: 16, max: 28 } as const;

/**
 * Every reason the layout cannot be built: invalid CIDRs, a VPC block of the wrong size,
 * a tier without exactly one subnet per AZ, subnets outside the VPC or overlapping each other.
 *
 * Shared by the config schema and the network construct so both reject the same inputs
 * with the same words.
 */
export function subnetLayoutProblems(layout: SubnetLayout): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const vpc = parseIpv4Cidr(layout.vpcCidr);
  if ('error' in vpc) {
    problems.push({ path: ['vpcCidr'], message: vpc.error });
  } else if (vpc.prefixLength < VPC_PREFIX_RANGE.min || vpc.prefixLength > VPC_PREFIX_RANGE.max) {
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
      const block = parseIpv4Cidr(cidr);
      if ('error' in block) {
        problems.push({ path: [tier, index], message: block.error });
        return;
      }
      if (!('error' in vpc) && !cidrContains(vpc, block)) {
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
