import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { WEAK_REFERENCE_METADATA_KEY, producerKey, weakReferencesIn } from '../../constructs/shared';
import type { DeployReadinessRule } from './rule';
import { isObject, renderResource, renderStackTemplate, walk } from './template';

/**
 * A resource that reads another stack's output through `Fn::GetStackOutput` lives in a stack whose
 * template carries the weak-reference marker (`Metadata.WeakReferenceInputs`, see
 * constructs/shared/weak-references.ts) for that producer and output, so a change of what the
 * output is computed from changes the consumer's template and `cdk deploy` redeploys it.
 *
 * Findings: `<region>/<stack>:<output>` without a marker; `Computed` for a reference whose stack
 * or output name is not a literal (no marker can follow it offline).
 */
export function WeakReferenceMarked(node: CfnResource): NagRuleResult {
  const resource = renderResource(node);
  if (resource === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  // The resource's own Metadata never feeds a value.
  const properties = { ...resource, Metadata: undefined };
  let calls = 0;
  let computed = false;
  walk(properties, (item) => {
    if (isObject(item) && 'Fn::GetStackOutput' in item) {
      calls += 1;
      const args = item['Fn::GetStackOutput'];
      computed ||=
        !isObject(args) ||
        typeof args.StackName !== 'string' ||
        typeof args.OutputName !== 'string' ||
        (args.Region !== undefined && typeof args.Region !== 'string');
    }
  });
  if (calls === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const stack = Stack.of(node);
  const references = weakReferencesIn(properties);
  const wanted = references.map((reference) => ({
    producer: producerKey(reference, stack.region),
    output: reference.outputName,
  }));
  let markers = markersOf(stack.resolve(stack.templateOptions.metadata));
  if (wanted.some((w) => !marked(markers, w.producer, w.output))) {
    // The marker may be written only into the rendered template: read that before reporting.
    markers = markersOf(renderStackTemplate(node).Metadata);
  }
  const findings = wanted.filter((w) => !marked(markers, w.producer, w.output)).map((w) => `${w.producer}:${w.output}`);
  if (computed) {
    findings.push('Computed');
  }
  return findings.length > 0 ? [...new Set(findings)] : NagRuleCompliance.COMPLIANT;
}

function markersOf(metadata: unknown): Record<string, unknown> {
  const markers = isObject(metadata) ? metadata[WEAK_REFERENCE_METADATA_KEY] : undefined;
  return isObject(markers) ? markers : {};
}

/** True when the markers hold a digest for the producer's output. */
function marked(markers: Record<string, unknown>, producer: string, output: string): boolean {
  const entry = markers[producer];
  return isObject(entry) && typeof entry[output] === 'string' && entry[output] !== '';
}

export const weakReferenceMarked: DeployReadinessRule = {
  rule: WeakReferenceMarked,
  info:
    "The resource reads another stack's output through Fn::GetStackOutput, but its template's Metadata " +
    `"${WEAK_REFERENCE_METADATA_KEY}" has no marker for that producer and output. Build the consuming stack on ` +
    'EnvironmentStack (which writes the markers), and give Fn::GetStackOutput literal stack and output names.',
  explanation:
    'CloudFormation resolves Fn::GetStackOutput only when the consumer is deployed, and cdk deploy skips a stack ' +
    "whose template did not change: after the producer's output changes, the consumer keeps the old value until " +
    "something else changes its template. A marker derived from the producer's template makes that change visible.",
};
