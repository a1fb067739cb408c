import { afterAll, describe, expect, test } from "bun:test";
import { PermissionDenied } from "../../../core/errors/permission-denied";
import { createScopedFetch, type ResolveHost } from "../../../core/plugins/scoped-fetch";

const seen: string[] = [];
const server: Bun.Server<undefined> = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request): Response {
    seen.push(request.headers.get("host") ?? "");
    const url = new URL(request.url);
    if (url.pathname === "/to-name") return Response.redirect(`http://inward.test:${server.port}/ok`, 302);
    return new Response("ok");
  },
});
const port = server.port;
afterAll(() => server.stop(true));

const resolvesTo =
  (...addresses: string[]): ResolveHost =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );

describe("ctx.fetch and the addresses a granted name resolves to", () => {
  test("refuses a granted name that resolves to loopback, naming the host, the address and the grant", async () => {
    const error = await refusal(createScopedFetch("greeter", [`localhost:${port}`])(`http://localhost:${port}/ok`));
    expect(error).toBeInstanceOf(PermissionDenied);
    expect(error).toMatchObject({ code: "ERR_PERMISSION_NET", plugin: "greeter", value: `127.0.0.1:${port}` });
    const message = String((error as Error).message);
    expect(message).toContain(`localhost:${port}`);
    expect(message).toContain(`plugins["greeter"].permissions.net: ["127.0.0.1:${port}"]`);
  });

  test("connects to a name resolving inward once the address itself is granted", async () => {
    const scoped = createScopedFetch("greeter", [`localhost:${port}`, `127.0.0.1:${port}`]);
    expect(await (await scoped(`http://localhost:${port}/ok`)).text()).toBe("ok");
  });

  test("an address granted on another port does not open this one", async () => {
    const scoped = createScopedFetch("greeter", [`localhost:${port}`, "127.0.0.1:1"]);
    expect(await refusal(scoped(`http://localhost:${port}/ok`))).toMatchObject({ code: "ERR_PERMISSION_NET" });
  });

  for (const address of [
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "127.8.8.8",
    "::1",
    "::",
    "fd00::1",
    "fc12:3456::1",
    "fe80::1",
    "febf::1",
    "::ffff:127.0.0.1",
    "::ffff:a9fe:a9fe",
    "::ffff:10.0.0.1",
  ]) {
    test(`refuses a granted name that resolves to ${address}`, async () => {
      const scoped = createScopedFetch("greeter", ["api.example.com"], { lookup: resolvesTo(address) });
      const error = await refusal(scoped("https://api.example.com/x"));
      expect(error).toBeInstanceOf(PermissionDenied);
      expect(String((error as Error).message)).toContain(address);
    });
  }

  test("connects to the address it checked, not to what the name answers afterwards (DNS rebinding)", async () => {
    let lookups = 0;
    // The first answer is checked and used; a second lookup would point inward.
    const rebinding: ResolveHost = async () => [{ address: lookups++ === 0 ? "127.0.0.1" : "10.0.0.1", family: 4 }];
    const scoped = createScopedFetch("greeter", [`inward.test:${port}`, `127.0.0.1:${port}`], { lookup: rebinding });
    seen.length = 0;
    const response = await scoped(`http://inward.test:${port}/ok`);
    expect(await response.text()).toBe("ok");
    expect(lookups).toBe(1);
    expect(seen).toEqual([`inward.test:${port}`]);
  });

  test("a name resolving to a public address needs no grant of the address; TLS is checked against the name", async () => {
    const calls: { url: string; host: string | null; init: BunFetchRequestInit }[] = [];
    const transport = Object.assign(
      async (url: string | URL | Request, init: BunFetchRequestInit = {}) => {
        calls.push({ url: String(url), host: new Headers(init.headers).get("host"), init });
        return new Response("ok");
      },
      { preconnect: fetch.preconnect },
    );
    const scoped = createScopedFetch("greeter", ["api.example.com"], { lookup: resolvesTo("93.184.216.34"), transport });
    await scoped("https://api.example.com/x");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("https://93.184.216.34/x");
    expect(calls[0]?.host).toBe("api.example.com");
    expect(calls[0]?.init.tls?.serverName).toBe("api.example.com");
  });

  test("connects only to a permitted address when a name resolves to several", async () => {
    const scoped = createScopedFetch("greeter", [`inward.test:${port}`, `127.0.0.1:${port}`], {
      lookup: resolvesTo("10.0.0.1", "127.0.0.1"),
    });
    expect(await (await scoped(`http://inward.test:${port}/ok`)).text()).toBe("ok");
  });

  test("checks the address again on a redirect to a granted name", async () => {
    const scoped = createScopedFetch("greeter", [`127.0.0.1:${port}`, `inward.test:${port}`], {
      lookup: resolvesTo("192.168.0.10"),
    });
    const error = await refusal(scoped(`http://127.0.0.1:${port}/to-name`));
    expect(error).toMatchObject({ code: "ERR_PERMISSION_NET", value: `192.168.0.10:${port}` });
  });

  test("refuses a name that does not resolve, with the plugin and host", async () => {
    const scoped = createScopedFetch("greeter", ["nowhere.invalid"], { lookup: resolvesTo() });
    const error = await refusal(scoped("https://nowhere.invalid/x"));
    expect(error).toMatchObject({ code: "ERR_FETCH_DNS" });
    expect(String((error as Error).message)).toContain("nowhere.invalid");
  });
});
