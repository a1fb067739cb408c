// The client's address for per-IP limits: the socket's peer or, with server.trustProxy, the address the
// trusted proxies vouch for in X-Forwarded-For. Only a well-formed IP is ever taken from the header,
// so a client cannot pick a fresh limiter bucket per request by writing anything else there.
import { isIP } from "node:net";
import { TesseraError } from "../errors/tessera-error";

/** `true` is one hop; `hops` trusts that many proxies in front; `proxies` trusts hops only from those addresses. */
export type TrustProxy = boolean | { hops: number } | { proxies: string[] };

/** The part of Bun's Server that knows the peer's address. */
export interface PeerAddress {
  requestIP(request: Request): { address: string } | null;
}

/** The client's address for this request; `peer` is absent under app.handle (tests), where all requests count as one. */
export type ClientAddress = (request: Request, peer?: PeerAddress | null) => string;

// The longest form an address takes in the header: a bracketed IPv6 with a zone and a port.
const MAX_ENTRY_LENGTH = 100;
// Beyond this many entries the header says nothing a trusted proxy could have vouched for.
const MAX_HOPS = 32;
const UNKNOWN = "unknown";

/** The address in canonical form (lower-case IPv6, IPv4-mapped as IPv4, no port or zone), or null if `text` is none. */
export const canonicalIp = (text: string): string | null => {
  if (text.length > MAX_ENTRY_LENGTH) return null;
  let value = text.trim();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    const rest = value.slice(end + 1);
    if (end < 0 || (rest !== "" && !/^:\d{1,5}$/.test(rest))) return null;
    value = value.slice(1, end);
  } else if (/^[\d.]+:\d{1,5}$/.test(value)) {
    value = value.slice(0, value.indexOf(":"));
  }
  // A zone names an interface on the proxy's host; it says nothing about who the client is.
  const zone = value.indexOf("%");
  if (zone >= 0) value = value.slice(0, zone);
  const family = isIP(value);
  if (family === 4) return value;
  if (family !== 6) return null;
  const canonical = new URL(`http://[${value}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([\da-f]{1,4}):([\da-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const high = Number.parseInt(mapped[1] ?? "0", 16);
  const low = Number.parseInt(mapped[2] ?? "0", 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
};

interface Range {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

const toBits = (ip: string): bigint => {
  if (isIP(ip) === 4) return ip.split(".").reduce((bits, part) => (bits << 8n) | BigInt(part), 0n);
  const [head = "", tail] = ip.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n);
};

const parseRange = (entry: string, index: number): Range => {
  const [address = "", prefixText, extra] = entry.split("/");
  const ip = extra === undefined ? canonicalIp(address) : null;
  const family = ip === null ? 0 : isIP(ip);
  const width = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? width : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (ip === null || (family !== 4 && family !== 6) || prefix < 0 || prefix > width) {
    throw new TesseraError("ERR_CONFIG_INVALID", `"${entry.slice(0, MAX_ENTRY_LENGTH)}" is not an IP address or CIDR range`, {
      path: `server.trustProxy.proxies[${index}]`,
    });
  }
  const shift = BigInt(width - prefix);
  return { family, bits: (toBits(ip) >> shift) << shift, prefix };
};

const inRanges = (ranges: readonly Range[], ip: string): boolean => {
  const family = isIP(ip);
  const bits = toBits(ip);
  return ranges.some((range) => {
    if (range.family !== family) return false;
    const shift = BigInt((family === 4 ? 32 : 128) - range.prefix);
    return bits >> shift === range.bits >> shift;
  });
};

/** The header's entries from the right, at most `limit` of them, without splitting the rest of it. */
const lastEntries = (header: string, limit: number): string[] => {
  const entries: string[] = [];
  let end = header.length;
  while (entries.length < limit && end > 0) {
    const start = header.lastIndexOf(",", end - 1);
    entries.push(header.slice(start + 1, end));
    end = Math.max(start, 0);
  }
  return entries;
};

const peerOf = (request: Request, peer?: PeerAddress | null): string => {
  const address = peer?.requestIP(request)?.address;
  return address === undefined ? UNKNOWN : (canonicalIp(address) ?? UNKNOWN);
};

/**
 * Walks X-Forwarded-For from the right while the hop is trusted: each trusted proxy vouches for the
 * entry it appended. The first entry that is not an IP address ends the walk at the last one that was.
 */
export const clientAddressResolver = (trust: TrustProxy): ClientAddress => {
  if (trust === false) return peerOf;
  if (typeof trust === "object" && "proxies" in trust) {
    const ranges = trust.proxies.map(parseRange);
    return (request, peer) => {
      let address = peerOf(request, peer);
      const header = request.headers.get("x-forwarded-for");
      if (header === null) return address;
      for (const entry of lastEntries(header, MAX_HOPS)) {
        if (address === UNKNOWN || !inRanges(ranges, address)) return address;
        const next = canonicalIp(entry);
        if (next === null) return address;
        address = next;
      }
      return address;
    };
  }
  const hops = trust === true ? 1 : Math.min(trust.hops, MAX_HOPS);
  return (request, peer) => {
    let address = peerOf(request, peer);
    const header = request.headers.get("x-forwarded-for");
    if (header === null) return address;
    for (const entry of lastEntries(header, hops)) {
      const next = canonicalIp(entry);
      if (next === null) return address;
      address = next;
    }
    return address;
  };
};
