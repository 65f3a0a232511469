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
 * @throws Error when an entry names a construct that does not exist: the registry is stale
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
        throw new Error(
          `Acknowledgment "${entry.id}" names ${stage.node.path}/${entry.path}, which does not exist in ${environment}; update lib/acknowledgments/`,
        );
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

function findByPath(root: IConstruct, relativePath: string): IConstruct | undefined {
  let node: IConstruct | undefined = root;
  for (const segment of relativePath.split('/')) {
    node = node?.node.tryFindChild(segment);
  }
  return node;
}
