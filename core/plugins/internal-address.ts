// Addresses inside the host or its network: loopback, private, link-local, carrier-grade NAT and
// unspecified, IPv4-mapped IPv6 included. ctx.fetch reaches these only when a grant names the address.
import { isIPv4, isIPv6 } from "node:net";

/** The internal IPv4 blocks, as numbers: also given to a runtime that enforces them itself (isolated plugins' Deno). */
export const INTERNAL_IPV4_BLOCKS: readonly (readonly [base: number, bits: number])[] = [
  [0x00000000, 8], // 0.0.0.0/8, "this network"
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10, carrier-grade NAT
  [0x7f000000, 8], // 127/8
  [0xa9fe0000, 16], // 169.254/16
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
];

/** A dotted IPv4 address as a number. */
export const ipv4Number = (address: string): number => address.split(".").reduce((value, part) => value * 256 + Number(part), 0);

const ipv4Internal = (address: string): boolean => {
  const value = ipv4Number(address);
  return INTERNAL_IPV4_BLOCKS.some(
    ([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)),
  );
};

/** The eight 16-bit groups of an IPv6 address, a dotted IPv4 tail included. */
const ipv6Groups = (address: string): number[] => {
  let text = address.split("%")[0] ?? address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const value = ipv4Number(dotted);
    text = `${text.slice(0, -dotted.length)}${Math.floor(value / 65536).toString(16)}:${(value % 65536).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part ? part.split(":").map((group) => Number.parseInt(group, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
};

const ipv6Internal = (address: string): boolean => {
  const groups = ipv6Groups(address);
  const [first = 0] = groups;
  const upper = groups.slice(0, 5);
  if (upper.every((group) => group === 0) && groups[5] === 0xffff) {
    const mapped = `${(groups[6] ?? 0) >> 8}.${(groups[6] ?? 0) & 255}.${(groups[7] ?? 0) >> 8}.${(groups[7] ?? 0) & 255}`;
    return ipv4Internal(mapped);
  }
  const loopbackOrUnspecified = groups.slice(0, 7).every((group) => group === 0) && (groups[7] ?? 0) <= 1;
  return loopbackOrUnspecified || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
};

/** True for an address that stays inside the machine or its private network. */
export const isInternalAddress = (address: string): boolean => {
  if (isIPv4(address)) return ipv4Internal(address);
  if (isIPv6(address)) return ipv6Internal(address);
  return false;
};
