import { ENVIRONMENTS, synthesized, templateJson } from './support/synth';

/**
 * One snapshot per stack per environment. A snapshot diff is a change to production
 * infrastructure: review it line by line, and never update snapshots blindly (`jest -u`)
 * without reading the diff. Asset hashes are hidden by `support/asset-serializer.ts`.
 */
describe.each(ENVIRONMENTS)('%s', (environment) => {
  const stackIds = synthesized()
    .stacks.filter((s) => s.environment === environment)
    .map((s) => s.stackId);

  test('synthesizes at least the network stack', () => {
    expect(stackIds).toContain('Network');
  });

  test.each(stackIds)('%s stack matches its snapshot', (stackId) => {
    expect(templateJson(environment, stackId)).toMatchSnapshot();
  });
});
