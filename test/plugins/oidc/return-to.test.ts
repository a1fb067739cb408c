// Open redirect after sign-in: a returnTo that passes a check on its raw text but that a URL parser or
// a browser reads as another origin must land on "/", through /auth/login and /auth/callback against a
// real OpenID provider.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Browser } from "../../support/browser";
import { startTestProvider, type TestProvider } from "../../support/oidc-provider";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

let provider: TestProvider;
let tessera: TestRuntime;
let handler: (request: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (request) => handler(request) });
const publicUrl = `http://127.0.0.1:${server.port}`;

beforeAll(async () => {
  provider = await startTestProvider({ redirectUri: `${publicUrl}/auth/callback` });
  tessera = await startTestRuntime({
    server: { publicUrl },
    plugins: {
      oidc: { enabled: true, issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
    },
  });
  handler = (request) => tessera.runtime.app.handle(request);
});

afterAll(async () => {
  await tessera?.close();
  await provider?.close();
  server.stop(true);
});

/** Where the callback sends the browser after a whole sign-in that started with this returnTo. */
const landingAfterSignIn = async (returnTo: string) => {
  const browser = new Browser();
  const start = await browser.request(`${publicUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(start.status).toBe(302);
  const callback = await provider.signIn(browser, start.headers.get("location") ?? "", "ada");
  const landed = await browser.request(callback);
  expect(landed.status).toBe(303);
  return landed.headers.get("location");
};

describe("returnTo after an OIDC sign-in", () => {
  test("a same-origin path survives the round trip, normalised", async () => {
    expect(await landingAfterSignIn("/workspaces/./42?tab=jobs")).toBe("/workspaces/42?tab=jobs");
  });

  const hostile = [
    "/.//evil.example/x",
    "/..//evil.example",
    "/%2e//evil.example",
    "/%2e%2e/%2fevil.example",
    "/%5cevil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example/x",
  ];
  for (const returnTo of hostile) {
    test(`refuses to redirect to another origin after sign-in for returnTo ${JSON.stringify(returnTo)}`, async () => {
      expect(await landingAfterSignIn(returnTo)).toBe("/");
    });
  }
});
