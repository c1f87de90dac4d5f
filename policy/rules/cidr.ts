/**
 * IPv4 range arithmetic for rules that must judge what a list of CIDR ranges lets in as a whole:
 * `0.0.0.0/1` plus `128.0.0.0/1` opens an API server to the internet as surely as `0.0.0.0/0`.
 */

/** A closed interval of IPv4 addresses as unsigned 32-bit numbers. */
export interface Interval {
  first: number;
  last: number;
}

const SPACE = 2 ** 32;

/** Parses `a.b.c.d/n` (or a bare address, a /32); undefined when it is not an IPv4 range. */
export function parseIpv4Cidr(text: string): Interval | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  // Azure normalizes host bits away, so the range covers the whole block the prefix names.
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

/** Sorted, merged intervals (adjacent ones joined). */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => a.first - b.first);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged[merged.length - 1];
    if (last && i.first <= last.last + 1) last.last = Math.max(last.last, i.last);
    else merged.push({ ...i });
  }
  return merged;
}

/**
 * Address blocks that are not reachable on the public internet (RFC 6890 special-purpose registry:
 * "this network", private-use, shared address space, loopback, link-local, multicast and reserved).
 * A list that covers everything else admits every internet client.
 */
export const NON_PUBLIC_BLOCKS = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/3",
].map((c) => parseIpv4Cidr(c)!);

/** How many addresses the intervals cover together (overlaps counted once). */
export function coveredCount(list: readonly Interval[]): number {
  return mergeIntervals(list).reduce((n, i) => n + (i.last - i.first + 1), 0);
}

/** True when the ranges, together, admit every public IPv4 address. */
export function coversPublicInternet(list: readonly Interval[]): boolean {
  return coveredCount([...list, ...NON_PUBLIC_BLOCKS]) === SPACE;
}

/** The share (0..1) of public IPv4 addresses the ranges admit. */
export function publicShare(list: readonly Interval[]): number {
  const reserved = coveredCount(NON_PUBLIC_BLOCKS);
  const withReserved = coveredCount([...list, ...NON_PUBLIC_BLOCKS]);
  return (withReserved - reserved) / (SPACE - reserved);
}
