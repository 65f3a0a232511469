import { App, CfnOutput, Fn, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { WEAK_REFERENCE_METADATA_KEY, outputMarker, weakReferencesIn } from '../../constructs/shared';
import { EnvironmentStack } from '../../stacks';

const ENV = { account: '123456789012', region: 'eu-west-1' };

interface Variant {
  /** Changes the bucket's name, which replaces it and changes its ARN. */
  readonly bucketName?: string;
  /** Changes a producer resource that no output depends on. */
  readonly unrelatedDescription?: string;
  /** Changes the network stack, two hops upstream of the reader. */
  readonly topicValue?: string;
}

/**
 * Three stacks chained by weak references, as the environments are: `Base` → `Producer` (reads
 * Base, publishes a bucket ARN and a value derived from Base) → `Consumer`.
 */
function synthesize(variant: Variant = {}) {
  const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
  const stage = new Stage(app, 'Env', { env: ENV });
  const common = { env: ENV, availabilityZones: ['eu-west-1a'] };
  const base = new EnvironmentStack(stage, 'Base', common);
  const topic = new ssm.StringParameter(base, 'Setting', { stringValue: variant.topicValue ?? 'v1' });

  const producer = new EnvironmentStack(stage, 'Producer', common);
  const bucket = new s3.Bucket(producer, 'Bucket', { bucketName: variant.bucketName });
  const derived = new ssm.StringParameter(producer, 'Derived', { stringValue: topic.parameterName });
  new ssm.StringParameter(producer, 'Unrelated', {
    stringValue: 'x',
    description: variant.unrelatedDescription ?? 'one',
  });

  const consumer = new EnvironmentStack(stage, 'Consumer', common);
  const role = new iam.Role(consumer, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  bucket.grantRead(role);
  new CfnOutput(consumer, 'Derived', { value: derived.parameterName });

  const assembly = stage.synth();
  const template = (stack: EnvironmentStack) =>
    assembly.getStackArtifact(stack.artifactId).template as Record<string, Record<string, unknown>>;
  return { consumer: template(consumer), producer: template(producer), base: template(base) };
}

describe('weak-reference markers', () => {
  const before = synthesize();

  test('a consumer records one marker per output it reads, under its producer', () => {
    const markers = before.consumer.Metadata[WEAK_REFERENCE_METADATA_KEY] as Record<string, Record<string, string>>;
    const read = weakReferencesIn(before.consumer.Resources).concat(weakReferencesIn(before.consumer.Outputs));
    expect(read.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(markers)).toEqual(['eu-west-1/Env-Producer']);
    for (const reference of read) {
      expect(markers['eu-west-1/Env-Producer'][reference.outputName]).toMatch(/^[0-9a-f]{20}$/);
    }
    // The producer reads the base stack, so it carries markers too; the base reads nothing.
    expect(Object.keys(before.producer.Metadata[WEAK_REFERENCE_METADATA_KEY] as object)).toEqual([
      'eu-west-1/Env-Base',
    ]);
    expect(before.base.Metadata).toBeUndefined();
  });

  test('synthesis is deterministic: an unchanged app gives byte-identical consumers', () => {
    expect(JSON.stringify(synthesize().consumer)).toBe(JSON.stringify(before.consumer));
  });

  test('a producer change that can change an output read by the consumer changes the consumer template', () => {
    const after = synthesize({ bucketName: 'renamed-bucket' });
    // The consumer's own resources did not change: only the marker tells `cdk deploy` to update it.
    expect(after.consumer.Resources).toEqual(before.consumer.Resources);
    expect(after.consumer.Metadata).not.toEqual(before.consumer.Metadata);
  });

  test('a change two stacks upstream reaches the consumer through the chain', () => {
    const after = synthesize({ topicValue: 'v2' });
    expect(after.consumer.Resources).toEqual(before.consumer.Resources);
    expect(after.consumer.Metadata).not.toEqual(before.consumer.Metadata);
  });

  test('a producer change no output depends on leaves the consumer untouched', () => {
    const after = synthesize({ unrelatedDescription: 'two' });
    expect(after.producer).not.toEqual(before.producer);
    expect(JSON.stringify(after.consumer)).toBe(JSON.stringify(before.consumer));
  });

  test('a reference to a stack outside the app stops synthesis, naming it', () => {
    const app = new App();
    const stack = new EnvironmentStack(app, 'Lonely', { env: ENV, availabilityZones: [] });
    new CfnOutput(stack, 'Out', {
      value: Fn.getStackOutput('Elsewhere', 'Thing'),
    });
    expect(() => app.synth()).toThrow(
      /Fn::GetStackOutput reads eu-west-1\/Elsewhere#Thing, which no stack of this app produces/,
    );
  });
});

describe('outputMarker', () => {
  const producer = {
    Parameters: { Size: { Type: 'Number' } },
    Conditions: { IsBig: { 'Fn::Equals': [{ Ref: 'Size' }, 10] } },
    Resources: {
      A: { Type: 'T::A', Properties: { Size: { Ref: 'Size' } }, Metadata: { 'aws:cdk:path': 'x' } },
      B: { Type: 'T::B', Properties: { Of: { 'Fn::Sub': '${A.Arn}/b' } }, Condition: 'IsBig' },
      C: { Type: 'T::C', Properties: {} },
    },
    Outputs: { Out: { Value: { 'Fn::GetAtt': ['B', 'Arn'] } } },
  };
  const withChange = (change: (template: typeof producer) => void) => {
    const copy = structuredClone(producer);
    change(copy);
    return outputMarker(copy, 'Out', 'eu-west-1');
  };
  const marker = outputMarker(producer, 'Out', 'eu-west-1');

  test.each([
    ['a resource the output reads', (t: typeof producer) => (t.Resources.B.Type = 'T::B2')],
    ['a resource read through Fn::Sub', (t: typeof producer) => (t.Resources.A.Properties = { Size: 3 } as never)],
    ['a parameter', (t: typeof producer) => (t.Parameters.Size.Type = 'String')],
    ['a condition', (t: typeof producer) => (t.Conditions.IsBig['Fn::Equals'][1] = 11)],
  ])('changes with %s', (_name, change) => {
    expect(withChange(change)).not.toBe(marker);
  });

  test.each([
    ['resource metadata', (t: typeof producer) => (t.Resources.A.Metadata['aws:cdk:path'] = 'y')],
    ['an unrelated resource', (t: typeof producer) => (t.Resources.C.Properties = { X: 1 } as never)],
  ])('ignores %s', (_name, change) => {
    expect(withChange(change)).toBe(marker);
  });

  test('is undefined for an output the producer does not have', () => {
    expect(outputMarker(producer, 'Missing', 'eu-west-1')).toBeUndefined();
  });
});
