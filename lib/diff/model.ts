/** What the offline diff found: plain data, rendered by `render.ts` and printed as JSON by `--format json`. */

/** How one resource changes. */
export type ChangeKind = 'added' | 'updated' | 'replaced' | 'removed';

/** The kinds in report order. */
export const CHANGE_KINDS: readonly ChangeKind[] = ['added', 'updated', 'replaced', 'removed'];

/** One resource that differs between base and head. */
export interface ResourceChange {
  readonly logicalId: string;
  /** The resource type; `<old> -> <new>` when the type changed (which replaces it). */
  readonly type: string;
  readonly kind: ChangeKind;
  /** cloudformation-diff's `ResourceImpact`, e.g. `WILL_REPLACE`, `MAY_REPLACE`, `WILL_ORPHAN`. */
  readonly impact: string;
  /** Construct path (`aws:cdk:path` metadata), when the template records it. */
  readonly path?: string;
  readonly stateful: boolean;
  /** Properties whose change replaces the resource; `(may)` marks a conditional replacement. */
  readonly replacingProperties: readonly string[];
}

/** Whether a stack is new, gone, or in both assemblies. */
export type StackStatus = 'added' | 'removed' | 'changed' | 'unchanged';

/** A change that lets more principals or more network peers in. */
export interface Broadening {
  /** The stack's display name, e.g. `Prod/Data`. */
  readonly stack: string;
  readonly kind: 'iam' | 'security-group';
  readonly description: string;
  /** Open to everyone: a rule from 0.0.0.0/0 or ::/0, or an Allow for principal `*`. */
  readonly public: boolean;
}

/** One stack's part of the report. */
export interface StackReport {
  /** Construct path of the stack, e.g. `Prod/Data`. */
  readonly displayName: string;
  readonly stackName: string;
  readonly artifactId: string;
  /** `aws://<account>/<region>`. */
  readonly environment: string;
  readonly status: StackStatus;
  readonly counts: Readonly<Record<ChangeKind, number>>;
  readonly resources: readonly ResourceChange[];
  /** Differences outside `Resources`: outputs, parameters, conditions, metadata, description. */
  readonly otherChanges: number;
  readonly broadening: readonly Broadening[];
  /** Stateful findings of this stack that block (not allowed). */
  readonly blocking: number;
  /** cloudformation-diff's own rendering, without colours; empty when nothing changed. */
  readonly fullDiff: string;
}

/**
 * What happens to a stateful resource:
 * - `replaced` / `may-be-replaced`: a property change replaces it (`WILL_REPLACE` / `MAY_REPLACE`);
 * - `destroyed`: removed, and deleted with it (`WILL_DESTROY`; `DeletionPolicy: Snapshot` keeps a snapshot);
 * - `orphaned`: removed with `DeletionPolicy: Retain`, so it stays in the account outside any stack (`WILL_ORPHAN`);
 * - `renamed`: removed under one logical ID and added under another in the same stack: CloudFormation creates
 *   a new one and deletes (or orphans) the old;
 * - `moved`: removed from one stack and added, with identical properties, to another.
 *
 * A `replaced` or `may-be-replaced` resource can also be one of a consumer stack whose own template does
 * not change: it reads, through a weak reference, a producer output whose value changes.
 */
export type StatefulFindingKind = 'replaced' | 'may-be-replaced' | 'destroyed' | 'orphaned' | 'renamed' | 'moved';

/** A replaced, removed or renamed stateful resource: it blocks the run unless an `--allow` names it. */
export interface StatefulFinding {
  readonly kind: StatefulFindingKind;
  /** Display name of the stack it is in (in base), e.g. `Prod/Data`. */
  readonly stack: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly path?: string;
  /** `renamed`, `moved`: its logical ID in head. */
  readonly newLogicalId?: string;
  /** `moved`: the stack it is in in head (display name and stack name). */
  readonly newStack?: string;
  readonly newStackName?: string;
  readonly newPath?: string;
  /** Its whole stack is gone from head. */
  readonly stackRemoved: boolean;
  /** Why, and what happens to the data. */
  readonly detail: string;
  /** The `--allow` value that accepts it; undefined when it blocks. */
  readonly allowedBy?: string;
}

/** A resource of a consumer stack that reads a producer's output. */
export interface ConsumerResource {
  readonly logicalId: string;
  readonly type: string;
  /**
   * What the output's new value does to it when the consumer is deployed (cloudformation-diff's
   * `ResourceImpact`); only for outputs that `changed`.
   */
  readonly impact?: string;
}

/** One stack that reads a producer's output through `Fn::GetStackOutput`. */
export interface OutputConsumer {
  /** Display name of the consumer stack. */
  readonly stack: string;
  /** Which assembly it reads the output in. */
  readonly side: 'base' | 'head' | 'both';
  /** It reads, in head, an output head no longer has: its next deployment fails. */
  readonly dangling: boolean;
  /** Its resources that read the output (in head; in base for a consumer head no longer has). */
  readonly resources: readonly ConsumerResource[];
}

/** A producer output that a weak reference reads and that changes or goes away. */
export interface OutputChange {
  /** Display name of the producer stack. */
  readonly producer: string;
  /** `<region>/<stack name>`, as `Fn::GetStackOutput` names the producer. */
  readonly producerKey: string;
  readonly outputName: string;
  /**
   * - `removed`: the output (or its stack) is gone;
   * - `changed`: its definition changed, or a resource it refers to is replaced: the value changes;
   * - `inputs-changed`: something it is computed from changed (a property, a tag): the value most likely
   *   stays the same, but the consumers' `WeakReferenceInputs` markers change, so they are redeployed.
   */
  readonly change: 'removed' | 'changed' | 'inputs-changed';
  readonly detail: string;
  readonly consumers: readonly OutputConsumer[];
}

/** The whole comparison. */
export interface DiffReport {
  /** How the base was obtained, e.g. `git ref origin/main (1a2b3c4)` or a directory. */
  readonly base: string;
  readonly head: string;
  readonly stacks: readonly StackReport[];
  readonly stateful: readonly StatefulFinding[];
  readonly outputs: readonly OutputChange[];
  /** `--allow` values that matched no finding. */
  readonly staleAllows: readonly string[];
  /** Stateful findings not allowed. */
  readonly blocking: number;
  readonly exitCode: number;
}

/** The command's exit codes (see docs/ci-diff.md). */
export const EXIT_CODES = {
  /** No blocking change. */
  ok: 0,
  /** A stateful resource is replaced, removed, renamed or moved, and no `--allow` names it. */
  blocked: 1,
  /** Bad usage or input: unknown option, unknown git ref, missing directory, not a cloud assembly. */
  usage: 2,
  /** Synthesis of base or head failed. */
  synthesis: 3,
  /** An unexpected error: a bug of the command (the message and stack are printed). */
  internal: 4,
} as const;
