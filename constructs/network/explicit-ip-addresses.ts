import type * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * An `IIpAddresses` that hands the VPC exactly the subnet CIDRs it was given,
 * instead of carving them out of the VPC block by mask. This is the VPC's own
 * extension point for address planning, so the L2 `Vpc` (routes, NAT, endpoints)
 * is kept whole.
 */
export class ExplicitIpAddresses implements ec2.IIpAddresses {
  /**
   * @param vpcCidr the VPC's IPv4 block
   * @param subnetCidrsByGroup subnet group name to CIDRs, in availability-zone order
   * @param availabilityZones the VPC's availability zones, in the same order
   */
  constructor(
    private readonly vpcCidr: string,
    private readonly subnetCidrsByGroup: Readonly<Record<string, readonly string[]>>,
    private readonly availabilityZones: readonly string[],
  ) {}

  allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.vpcCidr };
  }

  allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    return {
      allocatedSubnets: input.requestedSubnets.map((subnet) => {
        const cidrs = this.subnetCidrsByGroup[subnet.configuration.name];
        const azIndex = this.availabilityZones.indexOf(subnet.availabilityZone);
        const cidr = cidrs?.[azIndex];
        if (cidr === undefined) {
          // Unreachable through the Network construct, which validates the layout first.
          throw new Error(`No CIDR for subnet group "${subnet.configuration.name}" in ${subnet.availabilityZone}`);
        }
        return { cidr };
      }),
    };
  }
}
