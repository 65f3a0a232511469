import {
  deepEqual,
  formatDifferences,
  fullDiff,
  ResourceImpact,
  type FormatStream,
  type ResourceDifference,
  type TemplateDiff,
} from '@aws-cdk/cloudformation-diff';
import { applyAllows, type AllowRule } from './allow';
import { DiffInputError, type Assembly, type AssemblyStack, type StackPair } from './assembly';
import {
  CHANGE_KINDS,
  EXIT_CODES,
  type Broadening,
  type ChangeKind,
  type DiffReport,
  type ResourceChange,
  type StackReport,
  type StatefulFinding,
} from './model';
import { isStatefulType } from './stateful-types';
import { outputChanges } from './weak-outputs';

/** What {@link compareAssemblies} needs besides the two assemblies. */
export interface CompareOptions {
  /** How the report names the base, e.g. `git ref origin/main (1a2b3c4)`. */
  readonly baseLabel: string;
  readonly headLabel: string;
  readonly allows: readonly AllowRule[];
}

/** A resource as a template declares it. */
interface ResourceJson {
  readonly Type?: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** A stateful resource removed from (or added to) a stack: half of a possible rename or move. */
interface Candidate {
  readonly pair: StackPair;
  readonly logicalId: string;
  readonly resource: ResourceJson;
}

const RETAINED = ['Retain', 'RetainExceptOnCreate'];

/**
 * Compares every stack of `base` with its counterpart in `head`, with cloudformation-diff, and finds
 * what must be reviewed: replaced, removed, renamed or moved stateful resources (blocking unless
 * allowed), permissions and network access that broaden, and producer outputs weak references read.
 *
 * Stacks pair by what CloudFormation deploys to: account, region and stack name. A stack whose name
 * changes is a new stack to CloudFormation, so it shows as one removed and one added.
 */
export function compareAssemblies(base: Assembly, head: Assembly, options: CompareOptions): DiffReport {
  const pairs = pairStacks(base, head);
  const removedCandidates: Candidate[] = [];
  const addedCandidates: Candidate[] = [];
  const findings: StatefulFinding[] = [];
  const analysed = pairs.map((pair) => {
    const diff = fullDiff(pair.base?.template ?? {}, pair.head?.template ?? {});
    const resources: ResourceChange[] = [];
    diff.resources.forEachDifference((logicalId, change) => {
      const resourceChange = describeChange(logicalId, change);
      resources.push(resourceChange);
      const oldResource = change.oldValue as ResourceJson | undefined;
      const newResource = change.newValue as ResourceJson | undefined;
      if (resourceChange.kind === 'removed' && isStatefulType(oldResource?.Type)) {
        removedCandidates.push({ pair, logicalId, resource: oldResource as ResourceJson });
      } else if (resourceChange.kind === 'added' && isStatefulType(newResource?.Type)) {
        addedCandidates.push({ pair, logicalId, resource: newResource as ResourceJson });
      } else if (resourceChange.kind === 'replaced' && isStatefulType(oldResource?.Type)) {
        findings.push(replacementFinding(pair, resourceChange, change, oldResource as ResourceJson));
      }
    });
    return { pair, diff, resources };
  });

  findings.push(...pairRenames(removedCandidates, addedCandidates));
  const outputs = outputChanges(analysed);
  findings.push(...outputs.findings);
  const { findings: judged, stale } = applyAllows(findings, options.allows);

  const stacks = analysed.map(({ pair, diff, resources }): StackReport => {
    const stack = (pair.head ?? pair.base) as AssemblyStack;
    const counts = Object.fromEntries(
      CHANGE_KINDS.map((kind) => [kind, resources.filter((r) => r.kind === kind).length]),
    ) as Record<ChangeKind, number>;
    return {
      displayName: stack.displayName,
      stackName: stack.stackName,
      artifactId: stack.artifactId,
      environment: stack.environment,
      status:
        pair.base === undefined
          ? 'added'
          : pair.head === undefined
            ? 'removed'
            : diff.isEmpty
              ? 'unchanged'
              : 'changed',
      counts,
      resources,
      otherChanges: diff.differenceCount - diff.resources.differenceCount,
      broadening: broadeningOf(stack.displayName, diff),
      blocking: judged.filter(
        (f) => f.allowedBy === undefined && f.stack === pair.base?.displayName && f.stackName === pair.base.stackName,
      ).length,
      fullDiff: renderFullDiff(diff),
    };
  });

  const blocking = judged.filter((finding) => finding.allowedBy === undefined).length;
  return {
    base: options.baseLabel,
    head: options.headLabel,
    stacks,
    stateful: judged,
    outputs: outputs.changes,
    staleAllows: stale,
    blocking,
    exitCode: blocking > 0 ? EXIT_CODES.blocked : EXIT_CODES.ok,
  };
}

/** Pairs stacks by account, region and stack name: head's order first, then stacks only base has. */
function pairStacks(base: Assembly, head: Assembly): StackPair[] {
  const byKey = (assembly: Assembly, label: string): Map<string, AssemblyStack> => {
    const map = new Map<string, AssemblyStack>();
    for (const stack of assembly.stacks) {
      const key = deployKey(stack);
      const other = map.get(key);
      if (other !== undefined) {
        throw new DiffInputError(
          `${label}: ${other.displayName} and ${stack.displayName} both deploy stack ${stack.stackName} to ` +
            `${stack.environment}; one assembly cannot hold both`,
        );
      }
      map.set(key, stack);
    }
    return map;
  };
  const baseStacks = byKey(base, 'base');
  const headStacks = byKey(head, 'head');
  const pairs: StackPair[] = [...headStacks].map(([key, stack]) => ({ base: baseStacks.get(key), head: stack }));
  for (const [key, stack] of baseStacks) {
    if (!headStacks.has(key)) pairs.push({ base: stack });
  }
  return pairs;
}

function deployKey(stack: AssemblyStack): string {
  return `${stack.environment}/${stack.stackName}`;
}

function describeChange(logicalId: string, change: ResourceDifference): ResourceChange {
  const impact = change.changeImpact;
  const kind: ChangeKind = change.isAddition
    ? 'added'
    : change.isRemoval
      ? 'removed'
      : impact === ResourceImpact.WILL_REPLACE || impact === ResourceImpact.MAY_REPLACE
        ? 'replaced'
        : 'updated';
  const oldType = change.oldResourceType;
  const newType = change.newResourceType;
  const type = change.resourceTypeChanged ? `${oldType} -> ${newType}` : ((newType ?? oldType) as string);
  const replacingProperties = change.resourceTypeChanged
    ? ['Type']
    : Object.entries(change.propertyUpdates)
        .filter(([, property]) => isReplacement(property.changeImpact))
        .map(([name, property]) => (property.changeImpact === ResourceImpact.MAY_REPLACE ? `${name} (may)` : name));
  return {
    logicalId,
    type,
    kind,
    impact,
    path: pathOf((change.newValue ?? change.oldValue) as ResourceJson | undefined),
    stateful: isStatefulType(oldType) || isStatefulType(newType),
    replacingProperties,
  };
}

function isReplacement(impact: ResourceImpact | undefined): boolean {
  return impact === ResourceImpact.WILL_REPLACE || impact === ResourceImpact.MAY_REPLACE;
}

function pathOf(resource: ResourceJson | undefined): string | undefined {
  const value = resource?.Metadata?.['aws:cdk:path'];
  return typeof value === 'string' ? value : undefined;
}

function replacementFinding(
  pair: StackPair,
  change: ResourceChange,
  difference: ResourceDifference,
  old: ResourceJson,
): StatefulFinding {
  const stack = pair.base as AssemblyStack;
  const may = change.impact === ResourceImpact.MAY_REPLACE;
  const properties = change.replacingProperties.map((name) => name.replace(/ \(may\)$/, ''));
  // cloudformation-diff marks a reference to a replaced resource `<id> (replaced)`: the property itself
  // did not change, the resource it names is new.
  const replacedReferences = new Set<string>();
  for (const property of Object.values(difference.propertyUpdates)) {
    for (const match of JSON.stringify(property.newValue ?? null).matchAll(/"([A-Za-z0-9]+) ?\(replaced\)"/g)) {
      replacedReferences.add(match[1]);
    }
  }
  const because =
    replacedReferences.size === 0
      ? ''
      : ` (it refers to ${[...replacedReferences].join(', ')}, which ${replacedReferences.size === 1 ? 'is' : 'are'} replaced)`;
  const policy = old.UpdateReplacePolicy ?? 'Delete';
  const fate = RETAINED.includes(policy)
    ? `the old one stays in the account outside the stack (UpdateReplacePolicy ${policy}) and a new, empty one is created`
    : policy === 'Snapshot'
      ? 'the old one is deleted after a final snapshot and a new, empty one is created'
      : 'the old one is deleted with its data and a new, empty one is created';
  return {
    kind: may ? 'may-be-replaced' : 'replaced',
    stack: stack.displayName,
    stackName: stack.stackName,
    logicalId: change.logicalId,
    type: change.type,
    path: change.path,
    stackRemoved: false,
    detail: `${properties.join(', ')} ${may ? 'may require' : 'requires'} replacement${because}: ${fate}`,
  };
}

/**
 * Pairs removed stateful resources with added ones: in the same stack and of the same type, a rename
 * (most alike first: identical properties, then the most properties in common); across stacks, with
 * identical properties, a move. What stays unpaired is destroyed or orphaned.
 */
function pairRenames(removed: Candidate[], added: Candidate[]): StatefulFinding[] {
  const findings: StatefulFinding[] = [];
  const unpairedAdded = new Set(added);
  const unpairedRemoved = new Set(removed);

  const scored = removed
    .flatMap((from) =>
      added
        .filter((to) => to.pair === from.pair && to.resource.Type === from.resource.Type)
        .map((to) => ({ from, to, score: similarity(from.resource, to.resource) })),
    )
    .sort((a, b) => b.score - a.score);
  for (const { from, to } of scored) {
    if (!unpairedRemoved.has(from) || !unpairedAdded.has(to)) continue;
    unpairedRemoved.delete(from);
    unpairedAdded.delete(to);
    const identical = deepEqual(from.resource.Properties ?? {}, to.resource.Properties ?? {});
    findings.push({
      ...findingBase(from),
      kind: 'renamed',
      newLogicalId: to.logicalId,
      newPath: pathOf(to.resource),
      detail:
        `logical ID ${from.logicalId} -> ${to.logicalId} ` +
        `(${identical ? 'identical properties: a renamed or moved construct' : 'properties differ'}): ` +
        `CloudFormation creates ${to.logicalId} empty and ${fateOfRemoved(from.resource)} ${from.logicalId}; ` +
        'keep the old logical ID (overrideLogicalId) to keep the resource',
    });
  }

  for (const from of [...unpairedRemoved]) {
    const to = [...unpairedAdded].find(
      (candidate) =>
        candidate.pair !== from.pair &&
        candidate.resource.Type === from.resource.Type &&
        deepEqual(candidate.resource.Properties ?? {}, from.resource.Properties ?? {}),
    );
    if (to === undefined) continue;
    unpairedRemoved.delete(from);
    unpairedAdded.delete(to);
    const newStack = to.pair.head as AssemblyStack;
    findings.push({
      ...findingBase(from),
      kind: 'moved',
      newLogicalId: to.logicalId,
      newStack: newStack.displayName,
      newStackName: newStack.stackName,
      newPath: pathOf(to.resource),
      detail:
        `moved to ${newStack.displayName} as ${to.logicalId} (identical properties): CloudFormation creates a new, ` +
        `empty one there and ${fateOfRemoved(from.resource)} this one`,
    });
  }

  for (const from of unpairedRemoved) {
    const policy = from.resource.DeletionPolicy ?? 'Delete';
    const orphaned = RETAINED.includes(policy);
    findings.push({
      ...findingBase(from),
      kind: orphaned ? 'orphaned' : 'destroyed',
      detail: orphaned
        ? `removed: it stays in the account, managed by no stack (DeletionPolicy ${policy}); a fixed physical ` +
          'name cannot be used again until it is deleted by hand'
        : policy === 'Snapshot'
          ? 'removed: deleted after a final snapshot (DeletionPolicy Snapshot)'
          : `removed: deleted with its data (DeletionPolicy ${policy})`,
    });
  }
  return findings;
}

function findingBase(from: Candidate): Omit<StatefulFinding, 'kind' | 'detail'> {
  const stack = from.pair.base as AssemblyStack;
  const stackRemoved = from.pair.head === undefined;
  return {
    stack: stack.displayName,
    stackName: stack.stackName,
    logicalId: from.logicalId,
    type: from.resource.Type as string,
    path: pathOf(from.resource),
    stackRemoved,
  };
}

function fateOfRemoved(resource: ResourceJson): string {
  const policy = resource.DeletionPolicy ?? 'Delete';
  if (RETAINED.includes(policy)) return 'orphans (retains outside the stack)';
  return policy === 'Snapshot' ? 'snapshots and deletes' : 'deletes';
}

/** How alike two resources of one type are: identical properties first, then properties in common. */
function similarity(a: ResourceJson, b: ResourceJson): number {
  const left = a.Properties ?? {};
  const right = b.Properties ?? {};
  if (deepEqual(left, right)) return 1_000_000;
  return Object.keys(left).filter((key) => key in right && deepEqual(left[key], right[key])).length;
}

/** The CDK's placeholder rule of a security group without egress (`allowAllOutbound: false`): it opens nothing. */
function isNoTrafficPlaceholder(rule: { ipProtocol: string; fromPort?: number; toPort?: number; peer?: unknown }) {
  const peer = rule.peer as { kind?: string; ip?: string } | undefined;
  return (
    rule.ipProtocol === 'icmp' &&
    rule.fromPort === 252 &&
    rule.toPort === 86 &&
    peer?.kind === 'cidr-ip' &&
    peer.ip === '255.255.255.255/32'
  );
}

/**
 * The IAM statements and security group rules `diff` adds (cloudformation-diff's `permissionsBroadened`):
 * Allow statements added, Deny statements removed, managed policies attached, ingress and egress rules added.
 */
function broadeningOf(stack: string, diff: TemplateDiff): Broadening[] {
  const found: Broadening[] = [];
  const oneLine = (text: string) => text.split('\n').join(', ');
  const { iamChanges, securityGroupChanges } = diff;
  for (const statement of iamChanges.statements.additions) {
    if (statement.isNegativeStatement) continue;
    const rendered = statement.render();
    const principal = oneLine(rendered.principal);
    const condition = rendered.condition === '' ? '' : ` when ${oneLine(rendered.condition).replace(/\s+/g, ' ')}`;
    found.push({
      stack,
      kind: 'iam',
      description: `Allow ${oneLine(rendered.action)} on ${oneLine(rendered.resource)} to ${principal}${condition}`,
      public: condition === '' && /(^|, )(AWS:)?\*($|, )/.test(principal),
    });
  }
  for (const statement of iamChanges.statements.removals) {
    if (!statement.isNegativeStatement) continue;
    const rendered = statement.render();
    found.push({
      stack,
      kind: 'iam',
      description: `Deny removed: ${oneLine(rendered.action)} on ${oneLine(rendered.resource)} for ${oneLine(rendered.principal)}`,
      public: false,
    });
  }
  for (const attachment of iamChanges.managedPolicies.additions) {
    found.push({
      stack,
      kind: 'iam',
      description: `managed policy ${attachment.managedPolicyArn} attached to ${attachment.identityArn}`,
      public: false,
    });
  }
  const sso = [
    ...iamChanges.ssoPermissionSets.additions,
    ...iamChanges.ssoAssignments.additions,
    ...iamChanges.ssoInstanceACAConfigs.additions,
  ];
  if (sso.length > 0) {
    found.push({ stack, kind: 'iam', description: `${sso.length} IAM Identity Center grant(s) added`, public: false });
  }
  for (const [direction, rules] of [
    ['ingress', securityGroupChanges.ingress.additions],
    ['egress', securityGroupChanges.egress.additions],
  ] as const) {
    for (const rule of rules) {
      if (isNoTrafficPlaceholder(rule)) continue;
      const peer = rule.describePeer();
      const ip = rule.peer?.kind === 'cidr-ip' ? rule.peer.ip : undefined;
      found.push({
        stack,
        kind: 'security-group',
        description:
          direction === 'ingress'
            ? `ingress to ${rule.groupId}: ${rule.describeProtocol()} from ${peer}`
            : `egress from ${rule.groupId}: ${rule.describeProtocol()} to ${peer}`,
        public: ip === '0.0.0.0/0' || ip === '::/0',
      });
    }
  }
  return found;
}

/** cloudformation-diff's rendering of `diff`, as `cdk diff` prints it, without colours. */
function renderFullDiff(diff: TemplateDiff): string {
  if (diff.isEmpty) return '';
  let text = '';
  const sink = {
    columns: 120,
    write(chunk: string | Uint8Array) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    },
  };
  formatDifferences(sink as unknown as FormatStream, diff);
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
}
