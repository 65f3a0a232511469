import { Validations } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import type { Finding } from '../compliance';
import { COMPUTE_ACKNOWLEDGMENTS } from './compute';
import { DATA_ACKNOWLEDGMENTS } from './data';
import { DR_ACKNOWLEDGMENTS } from './dr';
import { EDGE_ACKNOWLEDGMENTS } from './edge';
import { MONITORING_ACKNOWLEDGMENTS } from './monitoring';
import { NETWORK_ACKNOWLEDGMENTS } from './network';
import type { AcknowledgmentEntry, Condition } from './shared';

export type { AcknowledgmentEntry, Condition } from './shared';

/**
 * The project's single registry of acknowledged findings, kept one file per layer beside this
 * one. Review every change to it.
 */
export const ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  ...NETWORK_ACKNOWLEDGMENTS,
  ...DATA_ACKNOWLEDGMENTS,
  ...COMPUTE_ACKNOWLEDGMENTS,
  ...EDGE_ACKNOWLEDGMENTS,
  ...MONITORING_ACKNOWLEDGMENTS,
  ...DR_ACKNOWLEDGMENTS,
];

/**
 * The entries that apply to an environment: those without a condition and those whose condition its
 * configuration meets. Nothing here reads the environment's name, so an environment added to
 * `config/` gets the entries its configuration calls for.
 */
export function acknowledgmentsFor(
  config: EnvironmentConfig,
  entries: readonly AcknowledgmentEntry[] = ACKNOWLEDGMENTS,
): AcknowledgmentEntry[] {
  return entries.filter((entry) => entry.when === undefined || entry.when(config));
}

/**
 * Applies the registry to one environment's stage with `Validations.acknowledge`, the
 * mechanism both cdk-nag and the cfn-guard plugin honour.
 *
 * @param config the environment's validated configuration, which selects the entries (`when`)
 * @returns the entries applied, with their full construct paths
 * @throws StaleAcknowledgmentError when an entry names a construct that does not exist
 */
export function applyAcknowledgments(
  stage: Stage,
  config: EnvironmentConfig,
  entries: readonly AcknowledgmentEntry[] = ACKNOWLEDGMENTS,
): AppliedAcknowledgment[] {
  const environment = config.name;
  return acknowledgmentsFor(config, entries).map((entry) => {
    const target = findByPath(stage, entry.path);
    if (target === undefined) {
      throw new StaleAcknowledgmentError([
        `${environment}: "${entry.id}" names ${stage.node.path}/${entry.path}, which does not exist${appliesOf(entry)}`,
      ]);
    }
    const id = entry.id
      .replaceAll('{stage}', stage.stageName)
      .replaceAll('{account}', stage.account ?? '')
      .replaceAll('{region}', stage.region ?? '')
      .replaceAll('{drRegion}', config.drRegion);
    Validations.of(target).acknowledge({ id, reason: entry.reason });
    return {
      id,
      path: entry.path,
      reason: entry.reason,
      ...(entry.when && { applies: entry.when.applies }),
      environment,
      fullPath: target.node.path,
    };
  });
}

/** An acknowledgment as applied to one environment; plain data (the test run stores it as JSON). */
export interface AppliedAcknowledgment {
  /** The finding id, with `{stage}`, `{account}` and `{region}` filled in. */
  readonly id: string;
  /** Construct path below the stage, as in the registry. */
  readonly path: string;
  readonly reason: string;
  /**
   * The entry's condition in words (`Condition.applies`).
   *
   * @default - the entry applies to every environment
   */
  readonly applies?: string;
  /** The environment's name. */
  readonly environment: string;
  /** The construct path the acknowledgment was attached to. */
  readonly fullPath: string;
}

/** True when the acknowledgment covers the finding: same id, on the construct or below it. */
export function covers(ack: AppliedAcknowledgment, finding: Finding): boolean {
  return ack.id === finding.id && (finding.path === ack.fullPath || finding.path.startsWith(`${ack.fullPath}/`));
}

/**
 * A registry entry that no longer matches what synthesis builds or finds: its construct is gone, or
 * its rule no longer reports a finding there. Either way the entry must be removed or corrected,
 * so synthesis stops.
 */
export class StaleAcknowledgmentError extends Error {
  constructor(public readonly entries: readonly string[]) {
    super(
      [
        `${entries.length} stale acknowledgment(s) in lib/acknowledgments/: remove or correct each entry.`,
        ...entries.map((entry) => `  ${entry}`),
      ].join('\n'),
    );
    this.name = 'StaleAcknowledgmentError';
  }
}

/** The applied acknowledgments that cover none of `findings`, as lines for a report. */
export function staleAcknowledgments(
  acknowledgments: readonly AppliedAcknowledgment[],
  findings: readonly Finding[],
): string[] {
  return acknowledgments
    .filter((ack) => !findings.some((finding) => covers(ack, finding)))
    .map((ack) => `${ack.environment}: ${ack.id} at ${ack.fullPath} matches no finding${appliesOf(ack)}`);
}

/** ` (applies <condition>)` for a conditional entry, for the stale-entry lines. */
function appliesOf(entry: { readonly when?: Condition; readonly applies?: string }): string {
  const applies = entry.applies ?? entry.when?.applies;
  return applies === undefined ? '' : ` (applies ${applies})`;
}

function findByPath(root: IConstruct, relativePath: string): IConstruct | undefined {
  let node: IConstruct | undefined = root;
  for (const segment of relativePath.split('/')) {
    node = node?.node.tryFindChild(segment);
  }
  return node;
}
