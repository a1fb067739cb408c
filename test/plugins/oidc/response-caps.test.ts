// A provider (or something posing as one) that answers with a body without end: every read of its
// answers stops at the cap, fast, instead of buffering it whole first.
import { afterAll, describe, expect, test } from "bun:test";
import type { Logger } from "../../../core/log/logger";
import { createScopedFetch } from "../../../core/plugins/scoped-fetch";
import { exchangeCode } from "../../../plugins/oidc/authorization-code";
import { discover } from "../../../plugins/oidc/discover";
import { Introspector } from "../../../plugins/oidc/introspection";
import { providerKeys } from "../../../plugins/oidc/provider-keys";
import { fetchUserinfo } from "../../../plugins/oidc/userinfo";
import { endlessServer } from "../../support/endless-server";

const OVERSIZED_JWKS = JSON.stringify({
  keys: Array.from({ length: 4000 }, (_, i) => ({ kty: "oct", kid: `k${i}`, k: "x".repeat(200) })),
});

const server = endlessServer({
  "/big/jwks": () => new Response(OVERSIZED_JWKS, { headers: { "content-type": "application/json" } }),
});
afterAll(() => server.stop());
const fetch = createScopedFetch("oidc", [server.host]);
const credentials = { clientId: "tessera", clientSecret: "secret" };

const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
const log: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, fields) => warnings.push({ message, fields }),
  error: () => {},
  child: () => log,
};

/** Runs `read`, and checks it ended within a second or two with `code` (or null for "returned"). */
const settlesFast = async (path: string, read: () => Promise<unknown>) => {
  const started = Date.now();
  const outcome = await read().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  expect(Date.now() - started).toBeLessThan(3000);
  await server.cancelled(path);
  expect(server.sent(path)).toBeLessThan(32 * 1024 * 1024);
  return outcome;
};

describe("answers from the identity provider are capped while they stream", () => {
  test("refuses an endless discovery document at the cap", async () => {
    const outcome = await settlesFast("/endless/.well-known/openid-configuration", () =>
      discover(fetch, { issuer: server.url("/endless"), credentials, introspection: false }),
    );
    expect(outcome).toMatchObject({ error: { code: "ERR_OIDC_DISCOVERY", message: expect.stringContaining("larger than") } });
  });

  test("refuses an endless token response at the cap", async () => {
    const client = {
      ...credentials,
      redirectUri: "http://localhost:3000/auth/oidc/callback",
      scopes: ["openid"],
      tokenEndpoint: server.url("/endless/token"),
      clientAuth: "client_secret_basic" as const,
    };
    const outcome = await settlesFast("/endless/token", () => exchangeCode(fetch, client, "code", "verifier"));
    expect(outcome).toMatchObject({
      error: { code: "ERR_OIDC_PROVIDER_RESPONSE", message: expect.stringContaining("larger than") },
    });
  });

  test("refuses an endless userinfo response at the cap, signing in with the ID token's claims", async () => {
    const outcome = await settlesFast("/endless/userinfo", () =>
      fetchUserinfo(fetch, log, server.url("/endless/userinfo"), "access-token", "alice", "groups"),
    );
    expect(outcome).toEqual({ value: null });
    expect(warnings.at(-1)).toMatchObject({ fields: { reason: expect.stringContaining("larger than") } });
  });

  test("refuses an endless introspection response at the cap", async () => {
    const introspector = new Introspector({ fetch, credentials, issuer: server.url("") });
    const outcome = await settlesFast("/endless/introspect", () =>
      introspector.subjectOf("opaque-token", { endpoint: server.url("/endless/introspect"), clientAuth: "client_secret_basic" }),
    );
    expect(outcome).toMatchObject({
      error: { code: "ERR_OIDC_PROVIDER_RESPONSE", message: expect.stringContaining("larger than") },
    });
  });

  test("refuses an endless JWKS at the cap", async () => {
    const keys = providerKeys(fetch, server.url("/endless/jwks"), { cooldownMs: 30_000, cacheMaxAgeMs: 600_000 });
    const outcome = await settlesFast("/endless/jwks", () => keys({ alg: "RS256", kid: "k1" }));
    expect(outcome).toMatchObject({ error: { code: "ERR_FETCH_TOO_LARGE" } });
  });

  test("refuses a JWKS over the cap even when it ends", async () => {
    const keys = providerKeys(fetch, server.url("/big/jwks"), { cooldownMs: 30_000, cacheMaxAgeMs: 600_000 });
    expect(OVERSIZED_JWKS.length).toBeGreaterThan(256 * 1024);
    await expect(keys({ alg: "HS256", kid: "k1" })).rejects.toMatchObject({ code: "ERR_FETCH_TOO_LARGE" });
  });
});
