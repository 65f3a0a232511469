/**
 * Jest snapshot serializer that hides values that change without a reviewable cause:
 * asset hashes (content hashes of bundled code) and the asset file names built from them.
 * Everything else in a template stays visible in the snapshot.
 */
const HAS_ASSET_HASH = /[0-9a-f]{64}/;
const ASSET_HASHES = /[0-9a-f]{64}/g;

export function test(value: unknown): boolean {
  return typeof value === 'string' && HAS_ASSET_HASH.test(value);
}

export function serialize(value: string): string {
  return JSON.stringify(value.replace(ASSET_HASHES, '[ASSET HASH]'));
}
