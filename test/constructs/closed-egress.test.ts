import { Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClosedEgress } from '../../constructs/shared';
import { testStack } from '../support/test-stack';

const NO_TRAFFIC = { CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 };

/** Inline egress of each security group, by its construct id, after synthesis. */
function inlineEgress(withAspect: boolean) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [] });
  const closed = (id: string) => new ec2.SecurityGroup(stack, id, { vpc, allowAllOutbound: false });
  const toPeer = closed('ToPeer');
  const peer = closed('Peer');
  toPeer.connections.allowTo(peer, ec2.Port.tcp(443));
  closed('ToCidr').addEgressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(443));
  closed('Untouched');
  new ec2.SecurityGroup(stack, 'Open', { vpc, allowAllOutbound: true });
  if (withAspect) {
    Aspects.of(stack).add(new ClosedEgress());
  }
  const groups = Template.fromStack(stack).findResources('AWS::EC2::SecurityGroup');
  return Object.fromEntries(
    Object.entries(groups).map(([logicalId, group]) => [
      logicalId.replace(/[0-9A-F]{8}$/, ''),
      group.Properties.SecurityGroupEgress,
    ]),
  );
}

describe('ClosedEgress', () => {
  test('without it, a "no outbound" group whose only rule goes to another group is created without inline egress (EC2 then allows all)', () => {
    expect(inlineEgress(false).ToPeer).toBeUndefined();
  });

  test('puts the "no traffic" rule back on exactly those groups', () => {
    const egress = inlineEgress(true);
    expect(Object.keys(egress).sort()).toEqual(['Open', 'Peer', 'ToCidr', 'ToPeer', 'Untouched']);
    expect(egress.ToPeer).toEqual([expect.objectContaining(NO_TRAFFIC)]);
    // Untouched by the aspect: aws-cdk-lib's own placeholder, an inline CIDR rule, allow-all on purpose.
    expect(egress.Untouched).toEqual([expect.objectContaining(NO_TRAFFIC)]);
    expect(egress.Peer).toEqual([expect.objectContaining(NO_TRAFFIC)]);
    expect(egress.ToCidr).toEqual([expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 443 })]);
    expect(egress.Open).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]);
  });

  test('the rule to the other group stays a standalone resource', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [] });
    const a = new ec2.SecurityGroup(stack, 'A', { vpc, allowAllOutbound: false });
    a.connections.allowTo(new ec2.SecurityGroup(stack, 'B', { vpc, allowAllOutbound: false }), ec2.Port.tcp(443));
    Aspects.of(stack).add(new ClosedEgress());
    Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
  });
});
