import { describe, expect, test } from "bun:test";
import { canonicalIp, clientAddressResolver } from "../../../core/http/client-address";
import { startTestRuntime } from "../../support/test-runtime";

const peer = (address: string) => ({ requestIP: () => ({ address }) });
const from = (forwarded?: string) =>
  new Request("http://localhost/", { headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded } });

describe("canonicalIp", () => {
  test("accepts addresses in the forms proxies write them, in one canonical spelling", () => {
    expect(canonicalIp(" 203.0.113.9 ")).toBe("203.0.113.9");
    expect(canonicalIp("203.0.113.9:51234")).toBe("203.0.113.9");
    expect(canonicalIp("2001:DB8:0::1")).toBe("2001:db8::1");
    expect(canonicalIp("[2001:db8::1]")).toBe("2001:db8::1");
    expect(canonicalIp("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(canonicalIp("fe80::1%eth0")).toBe("fe80::1");
    expect(canonicalIp("::ffff:198.51.100.7")).toBe("198.51.100.7");
  });

  test("refuses anything that is not an address", () => {
    for (const text of [
      "",
      "unknown",
      "999.1.1.1",
      "1.2.3.4.5",
      "01.2.3.4",
      "[2001:db8::1",
      "[::1]x",
      "example.com",
      "1.2.3.4:",
    ]) {
      expect(canonicalIp(text)).toBeNull();
    }
  });

  test("refuses an over-long entry without parsing it", () => {
    expect(canonicalIp(`1.2.3.4${" ".repeat(200)}`)).toBeNull();
    expect(canonicalIp("x".repeat(8000))).toBeNull();
  });
});

describe("clientAddressResolver", () => {
  test("without trustProxy the header is ignored", () => {
    const address = clientAddressResolver(false);
    expect(address(from("203.0.113.9"), peer("10.0.0.1"))).toBe("10.0.0.1");
    expect(address(from("203.0.113.9"))).toBe("unknown");
  });

  test("trustProxy: true takes the entry the one proxy appended", () => {
    const address = clientAddressResolver(true);
    expect(address(from("203.0.113.9, 198.51.100.7"), peer("10.0.0.1"))).toBe("198.51.100.7");
    expect(address(from(), peer("10.0.0.1"))).toBe("10.0.0.1");
    expect(address(from("[2001:db8::7]:443"), peer("10.0.0.1"))).toBe("2001:db8::7");
  });

  test("refuses invalid forwarded values and falls back to the socket's address", () => {
    const address = clientAddressResolver(true);
    for (const forged of ["not-an-address", "999.1.1.1", "", " , ", "1.2.3.4, junk", "x".repeat(8000)]) {
      expect(address(from(forged), peer("10.0.0.1"))).toBe("10.0.0.1");
    }
  });

  test("refuses an over-long header's junk without letting its length into the address", () => {
    const address = clientAddressResolver({ hops: 2 });
    const long = `${"a,".repeat(4000)}203.0.113.9, 198.51.100.7`;
    expect(address(from(long), peer("10.0.0.1"))).toBe("203.0.113.9");
  });

  test("hops: N walks N entries from the right, stopping at the first that is not an address", () => {
    const address = clientAddressResolver({ hops: 2 });
    expect(address(from("192.0.2.1, 203.0.113.9, 198.51.100.7"), peer("10.0.0.1"))).toBe("203.0.113.9");
    expect(address(from("192.0.2.1, junk, 198.51.100.7"), peer("10.0.0.1"))).toBe("198.51.100.7");
    expect(address(from("198.51.100.7"), peer("10.0.0.1"))).toBe("198.51.100.7");
  });

  test("proxies: trusts hops only while the connecting address is a listed proxy", () => {
    const address = clientAddressResolver({ proxies: ["10.0.0.1", "192.168.0.0/16", "fd00::/8"] });
    expect(address(from("203.0.113.9, 192.168.4.4"), peer("10.0.0.1"))).toBe("203.0.113.9");
    expect(address(from("192.0.2.1, 203.0.113.9, 192.168.4.4"), peer("::ffff:10.0.0.1"))).toBe("203.0.113.9");
    expect(address(from("203.0.113.9, fd12::1"), peer("10.0.0.1"))).toBe("203.0.113.9");
    // A client that reaches the instance directly names whatever it likes; it is not a listed proxy.
    expect(address(from("203.0.113.9"), peer("198.51.100.50"))).toBe("198.51.100.50");
    expect(address(from("junk"), peer("10.0.0.1"))).toBe("10.0.0.1");
    // Every hop is a listed proxy: the leftmost is as far as anyone vouches.
    expect(address(from("192.168.1.1, 192.168.2.2"), peer("10.0.0.1"))).toBe("192.168.1.1");
  });

  test("refuses a proxies entry that is not an address or range, naming its config path", () => {
    for (const entry of ["10.0.0.0/33", "proxy.internal", "10.0.0.1/8/8", "fd00::/129"]) {
      expect(() => clientAddressResolver({ proxies: ["10.0.0.1", entry] })).toThrow(
        expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: "server.trustProxy.proxies[1]" }),
      );
    }
  });
});

describe("server.trustProxy in config", () => {
  test("accepts true, hops and a proxies list, and refuses a bad entry or an unknown key at start", async () => {
    for (const trustProxy of [true, { hops: 2 }, { proxies: ["10.0.0.1", "192.168.0.0/16"] }]) {
      const runtime = await startTestRuntime({ server: { trustProxy } });
      await runtime.close();
    }
    for (const trustProxy of [{ proxies: ["proxy.internal"] }, { hop: 2 }, { hops: 0 }]) {
      await expect(startTestRuntime({ server: { trustProxy } })).rejects.toMatchObject({ code: "ERR_CONFIG_INVALID" });
    }
  });
});
