import { CfnResource, Stack } from 'aws-cdk-lib';

/**
 * Helpers that let a rule read what CloudFormation will receive rather than the L1 props: the
 * rendered fragment includes property overrides, `addOverride('DependsOn', ...)`, and the
 * DependsOn entries CDK materializes from construct-level `node.addDependency` during `prepare`.
 *
 * The pack runs as a `Validations` plugin after synthesis, so the tree is prepared and rendering a
 * resource again yields exactly the template that was written. Called on an unprepared tree (a
 * bare `validateScope` without `app.synth()`), construct-level dependencies are still missing;
 * the rule tests therefore always synthesize.
 */

/** One resource as it appears under `Resources` in the template. */
export interface RenderedResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Metadata?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** The parts of a rendered template the rules read. */
export interface RenderedTemplate {
  readonly Resources?: Record<string, RenderedResource>;
  readonly Metadata?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** `_toCloudFormation` is internal to aws-cdk-lib but is what every synthesizer calls. */
interface Renderable {
  _toCloudFormation(): unknown;
}

/** The resource's logical ID in its stack's template. */
export function logicalIdOf(node: CfnResource): string {
  return Stack.of(node).resolve(node.logicalId) as string;
}

/**
 * The resource exactly as its template renders it, or `undefined` when it is not rendered
 * (`shouldSynthesize()` is false, e.g. a resource removed by a condition of its construct).
 */
export function renderResource(node: CfnResource): RenderedResource | undefined {
  const fragment = Stack.of(node).resolve((node as unknown as Renderable)._toCloudFormation()) as RenderedTemplate;
  return fragment.Resources?.[logicalIdOf(node)];
}

/** The rendered properties of `node`, `{}` when it has none. */
export function renderedProperties(node: CfnResource): Record<string, unknown> {
  return renderResource(node)?.Properties ?? {};
}

/** The whole template of the node's stack (for rules that look at other resources). */
export function renderStackTemplate(node: CfnResource): RenderedTemplate {
  const stack = Stack.of(node);
  return (stack as unknown as Renderable)._toCloudFormation() as RenderedTemplate;
}

/** The logical ID a `{ Ref }` or `{ Fn::GetAtt }` value points at; `undefined` for anything else. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  const ref = value.Ref;
  if (typeof ref === 'string' && !ref.startsWith('AWS::')) {
    return ref;
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    return getAtt[0];
  }
  if (typeof getAtt === 'string') {
    return getAtt.split('.')[0];
  }
  return undefined;
}

/** Every logical ID `value` refers to anywhere inside it (Ref, Fn::GetAtt, `${Id}` in Fn::Sub). */
export function referencedLogicalIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  walk(value, (item) => {
    const id = referencedLogicalId(item);
    if (id !== undefined) {
      ids.add(id);
    }
    if (isObject(item) && 'Fn::Sub' in item) {
      const sub = item['Fn::Sub'];
      const text = Array.isArray(sub) ? sub[0] : sub;
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([^}!.:]+)(?:\.[^}]*)?\}/g)) {
          const id = match[1];
          if (id !== undefined && !id.startsWith('AWS::')) {
            ids.add(id);
          }
        }
      }
    }
  });
  return ids;
}

/** The resource's DependsOn as a list. */
export function dependsOnOf(resource: RenderedResource): string[] {
  const dependsOn = resource.DependsOn;
  if (dependsOn === undefined) {
    return [];
  }
  return Array.isArray(dependsOn) ? dependsOn : [dependsOn];
}

/**
 * True when CloudFormation creates `resource` only after `logicalId`: a DependsOn entry or a
 * reference in its properties (an implicit dependency) both order the two.
 */
export function waitsFor(resource: RenderedResource, logicalId: string): boolean {
  return dependsOnOf(resource).includes(logicalId) || referencedLogicalIds(resource.Properties).has(logicalId);
}

/** Calls `visit` on `value` and on every value nested in it. */
export function walk(value: unknown, visit: (item: unknown) => void): void {
  visit(value);
  if (Array.isArray(value)) {
    value.forEach((item) => walk(item, visit));
  } else if (isObject(value)) {
    Object.values(value).forEach((item) => walk(item, visit));
  }
}

/** A plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an array: `[]` for undefined, `[value]` for a single value. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** The IAM policy statements of a rendered policy document. */
export function statementsOf(document: unknown): Array<Record<string, unknown>> {
  if (!isObject(document)) {
    return [];
  }
  return asArray(document.Statement).filter(isObject);
}

/** Condition keys of a statement, lower-cased, e.g. `aws:sourceaccount`. */
export function conditionKeysOf(statement: Record<string, unknown>): Set<string> {
  const keys = new Set<string>();
  const condition = statement.Condition;
  if (isObject(condition)) {
    for (const operands of Object.values(condition)) {
      if (isObject(operands)) {
        Object.keys(operands).forEach((key) => keys.add(key.toLowerCase()));
      }
    }
  }
  return keys;
}

/** True when the IAM action pattern (`kms:*`, `kms:Put*`, `*`) matches `action`, case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i').test(action);
}

/** True when a statement's Action/NotAction covers `action`. */
export function statementAllowsAction(statement: Record<string, unknown>, action: string): boolean {
  if (statement.NotAction !== undefined) {
    return !asArray(statement.NotAction).some(
      (pattern) => typeof pattern === 'string' && actionMatches(pattern, action),
    );
  }
  return asArray(statement.Action).some((pattern) => typeof pattern === 'string' && actionMatches(pattern, action));
}

/** The service principals (`ecs-tasks.amazonaws.com`) of a statement's Principal. */
export function servicePrincipalsOf(statement: Record<string, unknown>): string[] {
  const principal = statement.Principal;
  if (!isObject(principal)) {
    return [];
  }
  return asArray(principal.Service).map((service) => (typeof service === 'string' ? service : JSON.stringify(service)));
}
