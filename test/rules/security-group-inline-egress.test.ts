import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Aspects } from 'aws-cdk-lib';
import { ClosedEgress } from '../../constructs/shared';
import { testFixture } from '../support/test-stack';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'SecurityGroupInlineEgress';

describe('DeployReadiness-SecurityGroupInlineEgress', () => {
  test('flags a closed group whose only egress went to a standalone SecurityGroupEgress', () => {
    const { stack, vpc, client } = testFixture();
    const group = new ec2.SecurityGroup(stack, 'Proxy', { vpc, allowAllOutbound: false });
    group.addEgressRule(client, ec2.Port.tcp(5432));
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Proxy')).toEqual([`DeployReadiness-${RULE}`]);
  });

  test('accepts the same group once the ClosedEgress aspect keeps the no-traffic placeholder inline', () => {
    const { stack, vpc, client } = testFixture();
    const group = new ec2.SecurityGroup(stack, 'Proxy', { vpc, allowAllOutbound: false });
    group.addEgressRule(client, ec2.Port.tcp(5432));
    Aspects.of(stack).add(new ClosedEgress());
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Proxy')).toEqual([]);
  });

  test('accepts a group that allows all outbound inline', () => {
    const { stack, vpc } = testFixture();
    new ec2.SecurityGroup(stack, 'Open', { vpc, allowAllOutbound: true });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Open')).toEqual([]);
  });

  test('flags an L1 group without inline egress', () => {
    const stack = ruleStack();
    new ec2.CfnSecurityGroup(stack, 'Bare', { groupDescription: 'no egress listed', vpcId: 'vpc-1' });
    expect(idsOf(deployReadinessFindings(stack), RULE, 'Test/Bare')).toEqual([`DeployReadiness-${RULE}`]);
  });
});
