import { STATEFUL_TYPES } from '../../lib/diff/stateful-types';
import type { Resource } from './synth';

/** The offline diff's list (`lib/diff/stateful-types.ts`): what it blocks on is what the tests pin. */
export { STATEFUL_TYPES };

/** Pinned for their endpoints, but holding no data. */
const ENDPOINT_TYPES: readonly string[] = [
  'AWS::RDS::DBProxy',
  'AWS::CloudFront::Distribution',
  'AWS::WAFv2::WebACL',
  'AWS::CertificateManager::Certificate',
  'AWS::Route53::RecordSet',
];

/**
 * `"<type> <logicalId>"` for every stateful resource of a template, sorted.
 * Compare it with a pinned list: a difference means a stateful resource would be
 * created, replaced or deleted.
 */
export function statefulLogicalIds(template: { Resources?: Record<string, Resource> }): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => (STATEFUL_TYPES as readonly string[]).includes(resource.Type))
    .map(([logicalId, resource]) => `${resource.Type} ${logicalId}`)
    .sort();
}

/**
 * Stateful types that hold data: in a protected environment none may be deleted with its stack.
 * (Proxies, distributions and records are pinned because their endpoints are contracts, but they
 * hold no data.)
 */
export const DATA_TYPES: readonly string[] = STATEFUL_TYPES.filter((type) => !ENDPOINT_TYPES.includes(type));

/** `"<type> <logicalId> (<policy>)"` for each data-holding resource that its stack's deletion would delete. */
export function deletedWithStack(template: { Resources?: Record<string, Resource> }): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => DATA_TYPES.includes(r.Type))
    .filter(([, r]) => !['Retain', 'Snapshot', 'RetainExceptOnCreate'].includes(r.DeletionPolicy ?? 'Delete'))
    .map(([id, r]) => `${r.Type} ${id} (${r.DeletionPolicy ?? 'Delete'})`);
}
