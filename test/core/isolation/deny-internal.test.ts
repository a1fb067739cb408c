import { expect, test } from "bun:test";
import { internalDenyList } from "../../../core/isolation/deny-internal";
import { ipv4Number, isInternalAddress } from "../../../core/plugins/internal-address";

const denied = (list: string[], address: string) =>
  list.some((entry) => {
    const [base = "", bits = "32"] = entry.split("/");
    if (base.startsWith("[")) return base === `[${address}]`;
    const shift = 2 ** (32 - Number(bits));
    return Math.floor(ipv4Number(base) / shift) === Math.floor(ipv4Number(address) / shift);
  });

test("denies every internal range, and IPv6 loopback and unspecified, when nothing internal is granted", () => {
  const list = internalDenyList(["api.example.com"]);
  for (const address of [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "::",
  ]) {
    expect(isInternalAddress(address)).toBe(true);
    expect(denied(list, address)).toBe(true);
  }
  expect(denied(list, "93.184.216.34")).toBe(false);
});

test("a granted internal address is carved out of its range, and only it", () => {
  const list = internalDenyList(["127.0.0.1", "[::1]"]);
  expect(denied(list, "127.0.0.1")).toBe(false);
  expect(denied(list, "::1")).toBe(false);
  for (const neighbour of ["127.0.0.0", "127.0.0.2", "127.255.255.255", "127.1.0.1", "10.0.0.1", "::"]) {
    expect(denied(list, neighbour)).toBe(true);
  }
});
