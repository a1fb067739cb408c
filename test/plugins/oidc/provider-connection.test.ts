// The connection's lifecycle on its own, with timings too short for a runtime's config to allow.
import { afterEach, describe, expect, test } from "bun:test";
import { createLogger } from "../../../core/log/json-logger";
import { createScopedFetch } from "../../../core/plugins/scoped-fetch";
import { ProviderConnection } from "../../../plugins/oidc/provider-connection";
import { freePort } from "../../support/free-port";
import { CLIENT_ID, CLIENT_SECRET, type FakeProvider, startFakeProvider } from "./support/fake-provider";

const running: { stop(): void }[] = [];
afterEach(() => {
  for (const item of running.splice(0)) item.stop();
});

const connect = (issuer: string, host: string, lines: string[] = []) => {
  const connection = new ProviderConnection({
    discovery: { issuer, credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, introspection: false },
    fetch: createScopedFetch("oidc", [host]),
    log: createLogger({ level: "debug", write: (line) => lines.push(line) }),
    keys: { cooldownMs: 0, cacheMaxAgeMs: 60_000 },
    refreshMs: 50,
    retry: { firstMs: 20, maxMs: 80 },
  });
  running.push(connection);
  return connection;
};

const track = (fake: FakeProvider) => {
  running.push({ stop: () => fake.close() });
  return fake;
};

const waitFor = async (condition: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await Bun.sleep(10);
  expect(condition()).toBe(true);
};

describe("ProviderConnection", () => {
  test("refreshes the discovery document periodically", async () => {
    const fake = track(await startFakeProvider());
    const connection = connect(fake.issuer, fake.host);
    await connection.start();
    expect(connection.current()?.metadata.endSessionEndpoint).toBe(`${fake.issuer}/end-session`);
    fake.metadata.end_session_endpoint = `${fake.issuer}/logout-v2`;
    await waitFor(() => connection.current()?.metadata.endSessionEndpoint === `${fake.issuer}/logout-v2`);
  });

  test("keeps the last good document when a refresh fails", async () => {
    const fake = track(await startFakeProvider());
    const lines: string[] = [];
    const connection = connect(fake.issuer, fake.host, lines);
    await connection.start();
    fake.close();
    await waitFor(() => lines.some((line) => line.includes("keeping the last one")));
    expect(connection.health()).toEqual({ ok: true });
  });

  test("retries an unreachable provider with growing delays until it answers", async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const lines: string[] = [];
    const connection = connect(issuer, `127.0.0.1:${port}`, lines);
    await connection.start();
    expect(connection.health().ok).toBe(false);
    expect(() => connection.require()).toThrow(expect.objectContaining({ code: "ERR_OIDC_UNAVAILABLE", status: 503 }));
    await waitFor(() => lines.filter((line) => line.includes("unreachable")).length >= 3);
    const delays = lines.filter((line) => line.includes("unreachable")).map((line) => JSON.parse(line).retryInMs);
    expect(delays.slice(0, 3)).toEqual([20, 40, 80]);
    track(await startFakeProvider({ port }));
    await waitFor(() => connection.health().ok);
    expect(connection.require().metadata.issuer).toBe(issuer);
  });

  test("stop ends the retries", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const connection = connect(`http://127.0.0.1:${port}`, `127.0.0.1:${port}`, lines);
    await connection.start();
    connection.stop();
    const attempts = lines.length;
    await Bun.sleep(150);
    expect(lines.length).toBe(attempts);
  });

  test("a provider that comes up with another issuer is reported by health, and still retried", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const connection = connect(`http://127.0.0.1:${port}`, `127.0.0.1:${port}`, lines);
    await connection.start();
    const fake = track(await startFakeProvider({ port }));
    fake.metadata.issuer = `http://127.0.0.1:${port}/`;
    await waitFor(() => (connection.health().detail ?? "").includes("names its issuer"));
    fake.metadata.issuer = `http://127.0.0.1:${port}`;
    await waitFor(() => connection.health().ok);
  });

  test("warns when endpoints sit on hosts the issuer's grant does not cover", async () => {
    const fake = track(await startFakeProvider());
    fake.metadata.token_endpoint = "https://tokens.example/token";
    const lines: string[] = [];
    await connect(fake.issuer, fake.host, lines).start();
    const warning = lines.find((line) => line.includes("other hosts than the issuer"));
    expect(JSON.parse(warning ?? "{}").grant).toBe('plugins.oidc.permissions.net: ["tokens.example"]');
  });
});
