import { ENVIRONMENTS, synthesized, templateJson } from './support/synth';
import { statefulLogicalIds } from './support/stateful';

/**
 * Logical IDs of stateful resources, pinned. A change here means CloudFormation would
 * create a new resource and delete (or orphan) the old one: data, keys or logs lost.
 * If a replacement is truly intended, update this list in the same reviewed change,
 * and say why in the commit message.
 */
const PINNED: Record<string, readonly string[]> = {
  Network: ['AWS::KMS::Key NetworkFlowLogsKey91A8904C', 'AWS::Logs::LogGroup NetworkFlowLogsLogGroup625EB2BC'],
};

describe.each(ENVIRONMENTS)('%s stateful logical IDs', (environment) => {
  test('every stack with stateful resources is pinned', () => {
    const stacks = synthesized().stacks.filter((s) => s.environment === environment);
    for (const stack of stacks) {
      const ids = statefulLogicalIds(templateJson(environment, stack.stackId));
      if (ids.length > 0) {
        expect({ stack: stack.stackId, pinned: PINNED[stack.stackId] !== undefined }).toEqual({
          stack: stack.stackId,
          pinned: true,
        });
      }
    }
  });

  test.each(Object.keys(PINNED))('%s', (stackId) => {
    expect(statefulLogicalIds(templateJson(environment, stackId))).toEqual([...(PINNED[stackId] ?? [])].sort());
  });
});
