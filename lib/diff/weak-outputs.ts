import { deepEqual, fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import {
  outputMarker,
  producerKey,
  weakReferencesIn,
  type WeakReference,
} from '../../constructs/shared/weak-references';
import type { AssemblyStack, StackPair, Template } from './assembly';
import type { ConsumerResource, OutputChange, OutputConsumer, ResourceChange, StatefulFinding } from './model';
import { isStatefulType } from './stateful-types';

/** A stack pair with its resource changes, as the analysis has them. */
export interface AnalysedPair {
  readonly pair: StackPair;
  readonly resources: readonly ResourceChange[];
}

/** One consumer stack of one output: where it reads it, and which of its resources do. */
interface Reader {
  readonly sides: Set<'base' | 'head'>;
  base?: AssemblyStack;
  head?: AssemblyStack;
  /** Logical IDs of the resources that read the output, in head (in base when head has none). */
  readonly headResources: string[];
  readonly baseResources: string[];
}

/**
 * The producer outputs that weak references (`Fn::GetStackOutput`) read and that head removes or
 * changes, each with the stacks and resources that read it; and the stateful consumer resources that a
 * changed value replaces when the consumer is deployed.
 *
 * An output changes when its marker (`outputMarker`: a digest of the output and of everything its
 * value is computed from, as the consumers' `WeakReferenceInputs` metadata records it) differs.
 * CloudFormation resolves the new value only when the consumer is deployed, so the consumer's own
 * template diff shows nothing of what the value does there: a new subnet ID in a proxy's
 * `VpcSubnetIds` replaces the proxy. Each consumer resource is therefore diffed once more, against
 * itself with the reference pointing elsewhere, to learn from cloudformation-diff whether the new
 * value updates or replaces it.
 */
export function outputChanges(analysed: readonly AnalysedPair[]): {
  changes: OutputChange[];
  findings: StatefulFinding[];
} {
  const consumers = consumersByOutput(analysed);
  const changes: OutputChange[] = [];
  // One finding per consumer resource, however many changed outputs it reads.
  const replacements = new Map<string, DeployTimeReplacement>();
  for (const { pair, resources } of analysed) {
    const base = pair.base;
    if (base === undefined) continue;
    const key = `${base.region}/${base.stackName}`;
    const baseOutputs = outputsOf(base.template);
    const headOutputs = pair.head === undefined ? {} : outputsOf(pair.head.template);
    for (const outputName of Object.keys(baseOutputs)) {
      const readers = consumers.get(`${key}#${outputName}`);
      if (readers === undefined) continue;
      const removed = !(outputName in headOutputs);
      let detail: string;
      let change: OutputChange['change'] = 'changed';
      if (removed) {
        change = 'removed';
        detail = pair.head === undefined ? 'its stack is gone from head' : 'the output is gone from head';
      } else {
        const head = pair.head as AssemblyStack;
        const before = outputMarker(base.template, outputName, base.region);
        const after = outputMarker(head.template, outputName, head.region);
        if (before === after) continue;
        if (!deepEqual(baseOutputs[outputName], headOutputs[outputName])) {
          detail = 'its definition changed';
        } else {
          const replaced = referencedIds(baseOutputs[outputName]).filter((id) =>
            resources.some((r) => r.logicalId === id && r.kind === 'replaced'),
          );
          if (replaced.length > 0) {
            detail = `its value changes: ${replaced.join(', ')} ${replaced.length === 1 ? 'is' : 'are'} replaced`;
          } else {
            change = 'inputs-changed';
            detail = 'something its value is computed from changed; the value most likely stays the same';
          }
        }
      }
      const output = { producer: base.displayName, key, outputName, detail };
      changes.push({
        producer: base.displayName,
        producerKey: key,
        outputName,
        change,
        detail,
        consumers: [...readers].map(([stack, reader]): OutputConsumer => {
          const inHead = reader.sides.has('head');
          const ids = inHead ? reader.headResources : reader.baseResources;
          const template = ((inHead ? reader.head : reader.base) as AssemblyStack).template;
          return {
            stack,
            side: reader.sides.size === 2 ? 'both' : inHead ? 'head' : 'base',
            dangling: removed && inHead,
            resources: ids.map((logicalId): ConsumerResource => {
              const resource = resourcesOf(template)[logicalId];
              if (change !== 'changed' || !inHead) return { logicalId, type: resource.Type };
              const impact = impactOfNewValue(resource, output.key, outputName, (reader.head as AssemblyStack).region);
              const consumerResource = { logicalId, type: resource.Type, impact: impact.impact };
              const existed = reader.base !== undefined && logicalId in resourcesOf(reader.base.template);
              if (existed && isStatefulType(resource.Type) && isReplacement(impact.impact)) {
                const id = `${stack}/${logicalId}`;
                const found = replacements.get(id) ?? {
                  consumer: reader.base as AssemblyStack,
                  logicalId,
                  resource,
                  may: true,
                  properties: new Set<string>(),
                  outputs: [],
                };
                found.may &&= impact.impact === ResourceImpact.MAY_REPLACE;
                impact.properties.forEach((property) => found.properties.add(property));
                found.outputs.push(output);
                replacements.set(id, found);
              }
              return consumerResource;
            }),
          };
        }),
      });
    }
  }
  return { changes, findings: [...replacements.values()].map(deployTimeReplacement) };
}

/** A stateful consumer resource that changed outputs replace when the consumer is deployed. */
interface DeployTimeReplacement {
  readonly consumer: AssemblyStack;
  readonly logicalId: string;
  readonly resource: ResourceJson;
  /** Only conditionally replaced (`MAY_REPLACE`) by every output it reads. */
  may: boolean;
  readonly properties: Set<string>;
  readonly outputs: Array<{ producer: string; outputName: string; detail: string }>;
}

interface ResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

function isReplacement(impact: string): boolean {
  return impact === ResourceImpact.WILL_REPLACE || impact === ResourceImpact.MAY_REPLACE;
}

function deployTimeReplacement(found: DeployTimeReplacement): StatefulFinding {
  const { consumer, logicalId, resource, may } = found;
  const path = resource.Metadata?.['aws:cdk:path'];
  const producers = [...new Set(found.outputs.map((o) => o.producer))].join(', ');
  const outputs = found.outputs.map((o) => `${o.outputName} (${o.detail})`).join('; ');
  return {
    kind: may ? 'may-be-replaced' : 'replaced',
    stack: consumer.displayName,
    stackName: consumer.stackName,
    logicalId,
    type: resource.Type,
    path: typeof path === 'string' ? path : undefined,
    stackRemoved: false,
    detail:
      `${[...found.properties].join(', ')} ${may ? 'may require' : 'requires'} replacement when ` +
      `${consumer.displayName} is deployed, which its own template diff cannot show: it reads ${producers} ` +
      `output(s) through Fn::GetStackOutput whose value changes: ${outputs}`,
  };
}

/**
 * How the resource changes when the weak reference to `key#outputName` resolves to a new value:
 * cloudformation-diff of the resource against itself with that reference pointing elsewhere.
 */
function impactOfNewValue(
  resource: ResourceJson,
  key: string,
  outputName: string,
  consumerRegion: string,
): { impact: string; properties: string[] } {
  const moved = JSON.parse(JSON.stringify(resource), (_name, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const args = (value as Record<string, unknown>)['Fn::GetStackOutput'];
    if (typeof args !== 'object' || args === null) return value;
    const [reference] = weakReferencesIn(value);
    if (reference === undefined || reference.outputName !== outputName) return value;
    if (producerKey(reference, consumerRegion) !== key) return value;
    return { 'Fn::GetStackOutput': { ...(args as object), OutputName: `${outputName}NewValue` } };
  }) as ResourceJson;
  const change = fullDiff({ Resources: { R: resource } }, { Resources: { R: moved } }).resources.get('R');
  const properties = Object.entries(change.propertyUpdates)
    .filter(([, property]) => property.changeImpact !== undefined && isReplacement(property.changeImpact))
    .map(([name]) => name);
  return { impact: change.changeImpact, properties };
}

/** `<producer key>#<output>` -> consumer display name -> where and by which resources it is read. */
function consumersByOutput(analysed: readonly AnalysedPair[]): Map<string, Map<string, Reader>> {
  const index = new Map<string, Map<string, Reader>>();
  const add = (stack: AssemblyStack | undefined, side: 'base' | 'head') => {
    if (stack === undefined) return;
    const readsOf = Object.entries(resourcesOf(stack.template)).map(
      ([logicalId, resource]) =>
        [logicalId, new Set(weakReferencesIn(resource).map((r) => referenceId(r, stack.region)))] as const,
    );
    // Template metadata records the markers of the references: only resources and outputs read them.
    for (const reference of weakReferencesIn({ ...stack.template, Metadata: undefined })) {
      const id = referenceId(reference, stack.region);
      const readers = index.get(id) ?? new Map<string, Reader>();
      const reader = readers.get(stack.displayName) ?? {
        sides: new Set<'base' | 'head'>(),
        headResources: [],
        baseResources: [],
      };
      reader.sides.add(side);
      reader[side] = stack;
      for (const [logicalId, reads] of readsOf) {
        if (reads.has(id)) (side === 'head' ? reader.headResources : reader.baseResources).push(logicalId);
      }
      readers.set(stack.displayName, reader);
      index.set(id, readers);
    }
  };
  for (const { pair } of analysed) {
    add(pair.base, 'base');
    add(pair.head, 'head');
  }
  return index;
}

function referenceId(reference: WeakReference, consumerRegion: string): string {
  return `${producerKey(reference, consumerRegion)}#${reference.outputName}`;
}

function outputsOf(template: Template): Record<string, unknown> {
  const outputs = template.Outputs;
  return typeof outputs === 'object' && outputs !== null ? (outputs as Record<string, unknown>) : {};
}

function resourcesOf(template: Template): Record<string, ResourceJson> {
  const resources = template.Resources;
  return typeof resources === 'object' && resources !== null ? (resources as Record<string, ResourceJson>) : {};
}

/** Logical IDs an output's value refers to directly (`Ref`, `Fn::GetAtt`, `${...}` in `Fn::Sub`). */
function referencedIds(output: unknown): string[] {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string') ids.add(node.Ref);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') ids.add(getAtt[0]);
    if (typeof getAtt === 'string') ids.add(getAtt.split('.')[0]);
    const sub = node['Fn::Sub'];
    const text = Array.isArray(sub) ? sub[0] : sub;
    if (typeof text === 'string') {
      for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) ids.add(match[1].split('.')[0]);
    }
    Object.values(node).forEach(visit);
  };
  visit(output);
  return [...ids];
}
