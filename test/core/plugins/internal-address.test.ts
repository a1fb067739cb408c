import { describe, expect, test } from "bun:test";
import { isInternalAddress } from "../../../core/plugins/internal-address";

describe("internal addresses", () => {
  test("loopback, private, link-local, carrier-grade NAT, unspecified and their IPv4-mapped forms are internal", () => {
    for (const address of ["127.0.0.1", "10.0.0.1", "172.20.1.1", "192.168.0.1", "169.254.169.254", "100.100.100.200"]) {
      expect(isInternalAddress(address)).toBe(true);
    }
    for (const address of ["::1", "::", "fc00::1", "fdff::1", "fe80::1%eth0", "::ffff:192.168.0.1", "::ffff:7f00:1"]) {
      expect(isInternalAddress(address)).toBe(true);
    }
  });

  test("the neighbours of each range are not", () => {
    for (const address of ["11.0.0.1", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1", "192.169.0.1"]) {
      expect(isInternalAddress(address)).toBe(false);
    }
    for (const address of ["8.8.8.8", "2001:db8::1", "fe00::1", "fec0::1", "::2", "::ffff:8.8.8.8", "64:ff9b::1"]) {
      expect(isInternalAddress(address)).toBe(false);
    }
  });
});
