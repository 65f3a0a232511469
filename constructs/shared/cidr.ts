/**
 * Minimal IPv4 CIDR arithmetic shared by the config schema and the constructs.
 *
 * Kept dependency-free on purpose: constructs are reused by other teams and
 * must not pull in the config layer or a networking library for four functions.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Block {
  /** The CIDR as written. */
  readonly cidr: string;
  /** First address of the block, as an unsigned 32-bit integer. */
  readonly network: number;
  /** Prefix length, 0 to 32. */
  readonly prefixLength: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses an IPv4 CIDR, or explains why it is not one.
 *
 * Host bits must be zero: `10.0.1.7/24` is rejected because AWS would silently
 * treat it as `10.0.1.0/24`, which is rarely what the author meant.
 */
export function parseIpv4Cidr(cidr: string): Ipv4Block | { readonly error: string } {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) {
    return { error: `"${cidr}" is not an IPv4 CIDR (expected a.b.c.d/n)` };
  }
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) {
    return { error: `"${cidr}" has an octet above 255` };
  }
  const prefixLength = Number(match[5]);
  if (prefixLength > 32) {
    return { error: `"${cidr}" has a prefix length above 32` };
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefixLength);
  if (address % size !== 0) {
    const network = address - (address % size);
    return {
      error: `"${cidr}" has host bits set; the network address is ${formatIpv4(network)}/${prefixLength}`,
    };
  }
  return { cidr, network: address, prefixLength, size };
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
