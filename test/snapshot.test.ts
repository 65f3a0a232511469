import { ENVIRONMENTS, synthesized, templateJson } from './support/synth';

import { committedConfigs } from './support/config';

/** Every environment has exactly these stacks: a new or missing one is a reviewed change. */
const LAYER_STACK_IDS = ['Compute', 'Data', 'Edge', 'Monitoring', 'Network', 'Registry'];
/** With `backup.enabled` (staging, prod): the disaster-recovery region's stack too. */
const stackIdsOf = (environment: keyof ReturnType<typeof committedConfigs>) =>
  [
    ...LAYER_STACK_IDS,
    ...(committedConfigs()[environment].backup.enabled ? ['Dr'] : []),
    ...(committedConfigs()[environment].backup.standby !== undefined ? ['Standby'] : []),
  ].sort();

/**
 * `template` without what the CLI adds for its own bookkeeping and that changes with any refactor:
 * the `CDKMetadata` resource (aws-cdk-lib's analytics, a digest of construct class names) and each
 * resource's construct path and asset metadata. The test asserts they are there, then leaves them out.
 */
function withoutCdkBookkeeping(template: Record<string, any>): Record<string, any> {
  const { CDKMetadata, ...resources } = template.Resources as Record<string, Record<string, any>>;
  expect(CDKMetadata?.Type).toBe('AWS::CDK::Metadata');
  const pathless = Object.entries(resources).map(([id, resource]) => {
    const { Metadata, ...rest } = resource;
    expect(Metadata?.['aws:cdk:path']).toEqual(expect.any(String));
    const kept = Object.entries(Metadata as Record<string, unknown>).filter(
      ([key]) => key !== 'aws:cdk:path' && !key.startsWith('aws:asset:'),
    );
    return [id, kept.length > 0 ? { ...rest, Metadata: Object.fromEntries(kept) } : rest];
  });
  return { ...template, Resources: Object.fromEntries(pathless) };
}

/**
 * One snapshot per stack per environment. A snapshot diff is a change to production
 * infrastructure: review it line by line, and never update snapshots blindly (`jest -u`)
 * without reading the diff. Asset hashes are hidden by `support/asset-serializer.ts`, and the
 * CLI's bookkeeping by {@link withoutCdkBookkeeping}.
 */
describe.each(ENVIRONMENTS)('%s', (environment) => {
  const stackIds = synthesized()
    .stacks.filter((s) => s.environment === environment)
    .map((s) => s.stackId);

  test('has exactly the layer stacks', () => {
    expect([...stackIds].sort()).toEqual(stackIdsOf(environment));
  });

  test.each(stackIdsOf(environment))('%s stack matches its snapshot', (stackId) => {
    expect(withoutCdkBookkeeping(templateJson(environment, stackId))).toMatchSnapshot();
  });
});
