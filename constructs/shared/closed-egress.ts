import { Stack, type IAspect } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { IConstruct } from 'constructs';

/** aws-cdk-lib's own "no traffic" rule: an ICMP type and code that match nothing. */
const NO_TRAFFIC_RULE = {
  CidrIp: '255.255.255.255/32',
  Description: 'Disallow all traffic',
  IpProtocol: 'icmp',
  FromPort: 252,
  ToPort: 86,
};

/**
 * Keeps security groups created with `allowAllOutbound: false` closed on create.
 *
 * aws-cdk-lib drops its inline "no traffic" rule as soon as an egress rule is added, also when that
 * rule goes to a standalone `AWS::EC2::SecurityGroupEgress` (every rule to another security group,
 * possibly in another stack). The group is then created without inline egress, EC2 gives it the
 * default allow-all rule, and it stays open at least until the standalone rule is deployed. This
 * aspect puts the "no traffic" rule back on such groups, so no default rule is ever created; the
 * standalone rules still add what they allow. Groups with inline rules, and groups that allow all
 * outbound on purpose, are left alone.
 */
export class ClosedEgress implements IAspect {
  public visit(node: IConstruct): void {
    if (!(node instanceof ec2.SecurityGroup) || node.allowAllOutbound) {
      return;
    }
    const resource = node.node.defaultChild as ec2.CfnSecurityGroup;
    const inline: unknown = Stack.of(node).resolve(resource.securityGroupEgress);
    if (!Array.isArray(inline) || inline.length === 0) {
      resource.addPropertyOverride('SecurityGroupEgress', [NO_TRAFFIC_RULE]);
    }
  }
}
