import { Validations } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EnvironmentName } from '../../config';
import type { Finding } from '../compliance';
import { COMPUTE_ACKNOWLEDGMENTS } from './compute';
import { DATA_ACKNOWLEDGMENTS } from './data';
import { EDGE_ACKNOWLEDGMENTS } from './edge';
import { NETWORK_ACKNOWLEDGMENTS } from './network';
import type { AcknowledgmentEntry } from './shared';

export type { AcknowledgmentEntry } from './shared';

/**
 * The project's single registry of acknowledged findings, kept one file per layer beside this
 * one. Review every change to it.
 */
export const ACKNOWLEDGMENTS: readonly AcknowledgmentEntry[] = [
  ...NETWORK_ACKNOWLEDGMENTS,
  ...DATA_ACKNOWLEDGMENTS,
  ...COMPUTE_ACKNOWLEDGMENTS,
  ...EDGE_ACKNOWLEDGMENTS,
];

/**
 * Applies the registry to one environment's stage with `Validations.acknowledge`, the
 * mechanism both cdk-nag and the cfn-guard plugin honour.
 *
 * @returns the entries applied, with their full construct paths
 * @throws StaleAcknowledgmentError when an entry names a construct that does not exist
 */
export function applyAcknowledgments(
  stage: Stage,
  environment: EnvironmentName,
  entries: readonly AcknowledgmentEntry[] = ACKNOWLEDGMENTS,
): AppliedAcknowledgment[] {
  return entries
    .filter((entry) => entry.environments === undefined || entry.environments.includes(environment))
    .map((entry) => {
      const target = findByPath(stage, entry.path);
      if (target === undefined) {
        throw new StaleAcknowledgmentError([
          `${environment}: "${entry.id}" names ${stage.node.path}/${entry.path}, which does not exist`,
        ]);
      }
      const id = entry.id
        .replaceAll('{stage}', stage.stageName)
        .replaceAll('{account}', stage.account ?? '')
        .replaceAll('{region}', stage.region ?? '');
      Validations.of(target).acknowledge({ id, reason: entry.reason });
      return { ...entry, id, environment, fullPath: target.node.path };
    });
}

/** An acknowledgment as applied to one environment. */
export interface AppliedAcknowledgment extends AcknowledgmentEntry {
  readonly environment: EnvironmentName;
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
    .map((ack) => `${ack.environment}: ${ack.id} at ${ack.fullPath} matches no finding`);
}

function findByPath(root: IConstruct, relativePath: string): IConstruct | undefined {
  let node: IConstruct | undefined = root;
  for (const segment of relativePath.split('/')) {
    node = node?.node.tryFindChild(segment);
  }
  return node;
}
