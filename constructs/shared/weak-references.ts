import { createHash } from 'node:crypto';

/**
 * Template-level `Metadata` key under which a consumer stack records what each weak reference it
 * reads depends on.
 */
export const WEAK_REFERENCE_METADATA_KEY = 'WeakReferenceInputs';

/** A CloudFormation template as JSON. */
export type TemplateJson = Record<string, unknown>;

/** One `Fn::GetStackOutput` a template reads. */
export interface WeakReference {
  readonly stackName: string;
  /** The producer's region; `undefined` when the function names none (the consumer's region). */
  readonly region?: string;
  readonly outputName: string;
}

/**
 * Markers per producer (`<region>/<stack name>`) and output: a digest of everything the output's
 * value is computed from.
 */
export type WeakReferenceMarkers = Record<string, Record<string, string>>;

/**
 * Every `Fn::GetStackOutput` in `value` whose arguments are literals, in order of first use.
 * References with computed arguments (a `Ref` to a parameter, say) cannot be followed offline and
 * are left out; {@link producerKey} callers see them missing from the markers.
 */
export function weakReferencesIn(value: unknown): WeakReference[] {
  const found = new Map<string, WeakReference>();
  visit(value, (node) => {
    const args = node['Fn::GetStackOutput'];
    if (!isObject(args)) return;
    const { StackName: stackName, Region: region, OutputName: outputName } = args;
    if (typeof stackName !== 'string' || typeof outputName !== 'string') return;
    if (region !== undefined && typeof region !== 'string') return;
    const reference = { stackName, region, outputName };
    found.set(`${producerKey(reference, '')}#${outputName}`, reference);
  });
  return [...found.values()];
}

/** `<region>/<stack name>`: how markers name a producer. */
export function producerKey(reference: Pick<WeakReference, 'stackName' | 'region'>, consumerRegion: string): string {
  return `${reference.region ?? consumerRegion}/${reference.stackName}`;
}

/**
 * The marker of one output of `producer`: a digest of the output's definition and of everything
 * its value can change with: the resources it refers to, transitively (a replaced dependency
 * can replace the resource), the parameters and conditions they use, and the markers the
 * producer itself records for weak references those resources read (so a change two stacks
 * upstream reaches every consumer down the chain).
 *
 * Resource `Metadata` is left out: it never changes a value. The digest is deterministic, so an
 * unchanged producer gives an unchanged consumer template.
 *
 * @returns `undefined` when the producer has no such output
 */
export function outputMarker(producer: TemplateJson, outputName: string, producerRegion: string): string | undefined {
  const output = section(producer, 'Outputs')[outputName];
  if (output === undefined) return undefined;
  const resources = section(producer, 'Resources');
  const parameters = section(producer, 'Parameters');
  const conditions = section(producer, 'Conditions');
  const upstream = section(producer, 'Metadata')[WEAK_REFERENCE_METADATA_KEY] as WeakReferenceMarkers | undefined;

  const inputs: Record<string, unknown> = {};
  const pending: unknown[] = [output];
  const follow = (name: string): void => {
    if (name.startsWith('AWS::') || `resource:${name}` in inputs || `parameter:${name}` in inputs) return;
    if (name in resources) {
      const definition = { ...(resources[name] as Record<string, unknown>) };
      delete definition.Metadata;
      inputs[`resource:${name}`] = definition;
      pending.push(definition);
    } else if (name in parameters) {
      inputs[`parameter:${name}`] = parameters[name];
    }
  };
  while (pending.length > 0) {
    visit(pending.pop(), (node) => {
      if (typeof node.Ref === 'string') follow(node.Ref);
      const getAtt = node['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') follow(getAtt[0]);
      if (typeof getAtt === 'string') follow(getAtt.split('.')[0]);
      const sub = node['Fn::Sub'];
      const subText = Array.isArray(sub) ? sub[0] : sub;
      if (typeof subText === 'string') {
        for (const match of subText.matchAll(/\$\{([^!}][^}]*)\}/g)) follow(match[1].split('.')[0]);
      }
      for (const key of ['Condition', 'Fn::If'] as const) {
        const value = node[key];
        const name = Array.isArray(value) ? value[0] : value;
        if (typeof name === 'string' && name in conditions && !(`condition:${name}` in inputs)) {
          inputs[`condition:${name}`] = conditions[name];
          pending.push(conditions[name]);
        }
      }
      for (const reference of weakReferencesIn(node)) {
        const key = producerKey(reference, producerRegion);
        inputs[`upstream:${key}#${reference.outputName}`] = upstream?.[key]?.[reference.outputName] ?? null;
      }
    });
  }
  return digest({ output, inputs });
}

/**
 * The markers for every weak reference `consumer` reads.
 *
 * @param templateOf the synthesized template of a producer, by its key (`<region>/<stack name>`);
 *   `undefined` when the producer is not part of this app
 * @returns the markers, and the references whose producer or output could not be found
 */
export function weakReferenceMarkers(
  consumer: TemplateJson,
  consumerRegion: string,
  templateOf: (producerKey: string) => TemplateJson | undefined,
): { markers: WeakReferenceMarkers; unresolved: string[] } {
  const markers: WeakReferenceMarkers = {};
  const unresolved: string[] = [];
  const references = weakReferencesIn({ ...consumer, Metadata: undefined });
  for (const reference of references) {
    const key = producerKey(reference, consumerRegion);
    const producer = templateOf(key);
    const marker = producer === undefined ? undefined : outputMarker(producer, reference.outputName, key.split('/')[0]);
    if (marker === undefined) {
      unresolved.push(`${key}#${reference.outputName}`);
      continue;
    }
    markers[key] = { ...markers[key], [reference.outputName]: marker };
  }
  return { markers: sortKeys(markers) as WeakReferenceMarkers, unresolved };
}

function digest(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(sortKeys(value)))
    .digest('hex')
    .slice(0, 20);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

function section(template: TemplateJson, name: string): Record<string, unknown> {
  const value = template[name];
  return isObject(value) ? value : {};
}

function visit(value: unknown, callback: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item) => visit(item, callback));
  } else if (isObject(value)) {
    callback(value);
    Object.values(value).forEach((item) => visit(item, callback));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
