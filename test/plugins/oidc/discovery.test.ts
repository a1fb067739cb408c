// Discovery at start: an exact issuer match (with a message that fixes Authentik's trailing slash),
// configuration problems stop start-up, and a provider that is down is waited for, not crash-looped on.
import { afterAll, describe, expect, test } from "bun:test";
import { isTesseraError } from "../../../core/errors/tessera-error";
import { freePort } from "../../support/free-port";
import { startTestRuntime } from "../../support/test-runtime";
import { CLIENT_ID, CLIENT_SECRET, type FakeProvider, startFakeProvider } from "./support/fake-provider";

const METRICS_TOKEN = "metrics-token-for-oidc-tests";
const oidcConfig = (issuer: string, extra: Record<string, unknown> = {}) => ({
  server: { publicUrl: "http://localhost:3000" },
  metrics: { token: METRICS_TOKEN },
  plugins: { oidc: { enabled: true, issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...extra } },
});

const providers: FakeProvider[] = [];
const fakeProvider = async (metadata: Record<string, unknown> = {}, port?: number) => {
  const fake = await startFakeProvider({ port });
  Object.assign(fake.metadata, metadata);
  providers.push(fake);
  return fake;
};
afterAll(() => {
  for (const fake of providers) fake.close();
});

const startFailure = async (config: Record<string, unknown>) => {
  const error = await startTestRuntime(config).then(
    async (runtime) => {
      await runtime.close();
      return null;
    },
    (caught: unknown) => caught,
  );
  if (!isTesseraError(error)) throw new Error(`start-up should have failed with a TesseraError, got ${String(error)}`);
  return error;
};

describe("discovery at start", () => {
  test("an issuer that differs by a trailing slash stops start-up with both values and the fix", async () => {
    const fake = await fakeProvider();
    fake.metadata.issuer = `${fake.issuer}/`;
    const error = await startFailure(oidcConfig(fake.issuer));
    expect(error.code).toBe("ERR_OIDC_ISSUER_MISMATCH");
    expect(error.path).toBe("plugins.oidc.issuer");
    expect(error.message).toContain(`"${fake.issuer}/"`);
    expect(error.message).toContain(`is "${fake.issuer}"`);
    expect(error.message).toContain("trailing slash");
    expect(error.message).toContain(`set plugins.oidc.issuer to "${fake.issuer}/"`);
  });

  test("no discovery document at the issuer stops start-up", async () => {
    const fake = await fakeProvider();
    const error = await startFailure(oidcConfig(`${fake.issuer}/wrong/path`));
    expect(error.code).toBe("ERR_OIDC_DISCOVERY");
    expect(error.message).toContain("HTTP 404");
  });

  test("a provider without PKCE S256 stops start-up", async () => {
    const fake = await fakeProvider({ code_challenge_methods_supported: ["plain"] });
    const error = await startFailure(oidcConfig(fake.issuer));
    expect(error.code).toBe("ERR_OIDC_DISCOVERY");
    expect(error.message).toContain("PKCE with S256");
  });

  test("introspection without an introspection endpoint stops start-up", async () => {
    const fake = await fakeProvider({ introspection_endpoint: undefined });
    const error = await startFailure(oidcConfig(fake.issuer, { introspection: true }));
    expect(error.message).toContain("introspection_endpoint");
  });

  test("scopes without openid are a config error", async () => {
    const fake = await fakeProvider();
    const error = await startFailure(oidcConfig(fake.issuer, { scopes: ["email"] }));
    expect(error.code).toBe("ERR_CONFIG_INVALID");
    expect(error.message).toContain("openid");
  });

  test("a post-only provider gets the client secret in the form", async () => {
    const fake = await fakeProvider({ token_endpoint_auth_methods_supported: ["client_secret_post"] });
    const runtime = await startTestRuntime(oidcConfig(fake.issuer));
    try {
      const login = await runtime.request("/auth/login");
      const location = new URL(login.headers.get("location") ?? "");
      const nonce = location.searchParams.get("nonce") ?? "";
      fake.respondWithIdToken(await fake.sign(fake.idClaims(nonce)));
      const cookie = (login.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
      const state = location.searchParams.get("state") ?? "";
      const done = await runtime.request(`/auth/callback?code=c&state=${state}&iss=${encodeURIComponent(fake.issuer)}`, {
        headers: { cookie },
      });
      expect(done.status).toBe(303);
      const [request] = fake.tokenRequests;
      expect(request?.authorization).toBeNull();
      expect(request?.body.get("client_id")).toBe(CLIENT_ID);
      expect(request?.body.get("client_secret")).toBe(CLIENT_SECRET);
    } finally {
      await runtime.close();
    }
  });
});

describe("a provider that is down at start", () => {
  test("start-up goes on, readiness and login say why, and sign-in works once the provider answers", async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const logs: string[] = [];
    const runtime = await startTestRuntime(oidcConfig(issuer), { logs });
    try {
      const ready = await runtime.request("/readyz", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(ready.status).toBe(503);
      const report = await ready.json();
      expect(report.checks["plugin:oidc"]).toMatchObject({ ok: false });
      expect(report.checks["plugin:oidc"].detail).toContain(issuer);

      const login = await runtime.request("/auth/login");
      expect(login.status).toBe(503);
      expect(await login.json()).toMatchObject({ code: "ERR_OIDC_UNAVAILABLE" });
      expect(Number(login.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(logs.some((line) => line.includes("OpenID provider unreachable"))).toBe(true);
      // The sign-in page learns that it is down, not why: the reason names internal addresses.
      const listed = await (await runtime.request("/auth/providers")).json();
      expect(listed.providers).toEqual([expect.objectContaining({ ready: false })]);
      expect(JSON.stringify(listed)).not.toContain(issuer);

      await fakeProvider({}, port);
      const deadline = Date.now() + 10_000;
      while ((await runtime.request("/readyz")).status !== 200 && Date.now() < deadline) await Bun.sleep(100);
      expect((await runtime.request("/readyz")).status).toBe(200);
      expect((await runtime.request("/auth/login")).status).toBe(302);
      expect((await (await runtime.request("/auth/providers")).json()).providers).toEqual([
        expect.objectContaining({ ready: true }),
      ]);
    } finally {
      await runtime.close();
    }
  });
});
