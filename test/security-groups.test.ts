import { ENVIRONMENTS, resources, synthesized } from './support/synth';

/**
 * A security group without inline egress is created by EC2 with an allow-all egress rule, whatever
 * standalone egress resources follow; `ClosedEgress` (applied to every stage) prevents that.
 */
/**
 * Compute 2 (+1 for the deployment probe, +1 for the listener-rule function when traffic shifts), data 7
 * (with the bootstrap function and its provider), network 0 (+1 for interface endpoints).
 */
// The database's isolated group (restored copies) included.
/** prod: one more, the standby replica's (`backup.standby`). */
const GROUPS = { dev: 10, staging: 13, prod: 14 } as const;

describe.each(ENVIRONMENTS)('%s security groups', (environment) => {
  const stackIds = synthesized()
    .stacks.filter((s) => s.environment === environment)
    .map((s) => s.stackId);
  const groups = stackIds.flatMap((stackId) =>
    resources(environment, stackId, 'AWS::EC2::SecurityGroup').map(([id, group]) => ({
      id: `${stackId}/${id}`,
      group,
    })),
  );

  test('every group is created with inline egress, so EC2 adds no allow-all rule', () => {
    expect(groups).toHaveLength(GROUPS[environment]);
    const open = groups.filter(({ group }) => !(group.Properties?.SecurityGroupEgress?.length > 0)).map(({ id }) => id);
    expect(open).toEqual([]);
  });
});
