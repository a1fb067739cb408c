// The internal addresses an isolated plugin's Deno refuses to connect to (`--deny-net`), so that a granted
// name resolving inside the machine or its network is refused as ctx.fetch refuses it in process. Deno
// takes IPv4 blocks but no IPv6 ones, so IPv6 is denied only at its loopback and unspecified addresses. A
// grant naming an internal address itself is carved out of its block: Deno's deny wins over its allow.
import { isIPv4 } from "node:net";
import { INTERNAL_IPV4_BLOCKS, ipv4Number } from "../plugins/internal-address";

interface Block {
  base: number;
  bits: number;
}

const IPV6_INTERNAL = ["[::1]", "[::]"];

const toAddress = (value: number): string => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");

const prefix = (value: number, bits: number) => Math.floor(value / 2 ** (32 - bits));

/** `block` without one address: the sibling of each prefix on the way down to it. */
const carve = (block: Block, address: number): Block[] => {
  if (prefix(address, block.bits) !== prefix(block.base, block.bits)) return [block];
  const siblings: Block[] = [];
  for (let bits = block.bits + 1; bits <= 32; bits++) {
    const flipped = prefix(address, bits) ^ 1;
    siblings.push({ base: flipped * 2 ** (32 - bits), bits });
  }
  return siblings;
};

/** `--deny-net` entries: the internal blocks and addresses, less the internal addresses `allowedHosts` name. */
export const internalDenyList = (allowedHosts: readonly string[]): string[] => {
  let blocks: Block[] = INTERNAL_IPV4_BLOCKS.map(([base, bits]) => ({ base, bits }));
  for (const host of allowedHosts.filter((entry) => isIPv4(entry))) {
    blocks = blocks.flatMap((block) => carve(block, ipv4Number(host)));
  }
  const ipv6 = IPV6_INTERNAL.filter((address) => !allowedHosts.includes(address));
  return [...blocks.map(({ base, bits }) => `${toAddress(base)}/${bits}`), ...ipv6];
};
