import { ENVIRONMENTS, synthesized, templateJson } from './support/synth';

/** Every environment has exactly these stacks: a new or missing one is a reviewed change. */
const STACK_IDS = ['Compute', 'Data', 'Edge', 'Network', 'Registry'];

/**
 * One snapshot per stack per environment. A snapshot diff is a change to production
 * infrastructure: review it line by line, and never update snapshots blindly (`jest -u`)
 * without reading the diff. Asset hashes are hidden by `support/asset-serializer.ts`, and the
 * `CDKMetadata` resource (aws-cdk-lib's analytics, a digest of construct class names that changes
 * with any refactor) is left out.
 */
describe.each(ENVIRONMENTS)('%s', (environment) => {
  const stackIds = synthesized()
    .stacks.filter((s) => s.environment === environment)
    .map((s) => s.stackId);

  test('has exactly the layer stacks', () => {
    expect([...stackIds].sort()).toEqual(STACK_IDS);
  });

  test.each(STACK_IDS)('%s stack matches its snapshot', (stackId) => {
    const { CDKMetadata, ...resources } = templateJson(environment, stackId).Resources as Record<string, unknown>;
    expect(CDKMetadata).toBeDefined();
    expect({ ...templateJson(environment, stackId), Resources: resources }).toMatchSnapshot();
  });
});
