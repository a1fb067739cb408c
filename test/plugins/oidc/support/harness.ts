// A Tessera runtime (in process) signed in through the fake provider: start a login, script the
// provider's answer, and come back to the callback as the browser would.
import { expect } from "bun:test";
import { Browser } from "../../../support/browser";
import { startTestRuntime, type TestRuntime, type TestRuntimeOptions } from "../../../support/test-runtime";
import { CLIENT_ID, CLIENT_SECRET, type FakeProvider, type FakeProviderOptions, startFakeProvider } from "./fake-provider";

export const PUBLIC_URL = "http://localhost:3000";

export interface LoginStart {
  response: Response;
  location: URL;
  state: string;
  nonce: string;
}

export interface Harness {
  fake: FakeProvider;
  tessera: TestRuntime;
  logs: string[];
  /** A browser that talks to this runtime in process. */
  browser(): Browser;
  beginLogin(browser: Browser, returnTo?: string): Promise<LoginStart>;
  /** GET /auth/callback with these parameters (iss defaults to the provider's). */
  callback(browser: Browser, params: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** A whole sign-in where the provider returns `makeToken(nonce)` as the ID token. */
  signInWith(browser: Browser, makeToken: (nonce: string) => Promise<string>, returnTo?: string): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  oidc?: Record<string, unknown>;
  server?: Record<string, unknown>;
  provider?: FakeProviderOptions;
  runtime?: TestRuntimeOptions;
}

export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const fake = await startFakeProvider(options.provider);
  const logs: string[] = [];
  let tessera: TestRuntime;
  try {
    tessera = await startTestRuntime(
      {
        server: { publicUrl: PUBLIC_URL, ...options.server },
        plugins: {
          oidc: { enabled: true, issuer: fake.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options.oidc },
        },
      },
      { logs, ...options.runtime },
    );
  } catch (error) {
    fake.close();
    throw error;
  }
  const browser = () => new Browser((request) => tessera.runtime.app.handle(request));
  const callback: Harness["callback"] = (client, params, headers = {}) =>
    client.request(`${PUBLIC_URL}/auth/callback?${new URLSearchParams({ iss: fake.issuer, ...params })}`, { headers });
  const beginLogin: Harness["beginLogin"] = async (client, returnTo) => {
    const query = returnTo === undefined ? "" : `?returnTo=${encodeURIComponent(returnTo)}`;
    const response = await client.request(`${PUBLIC_URL}/auth/login${query}`);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    return {
      response,
      location,
      state: location.searchParams.get("state") ?? "",
      nonce: location.searchParams.get("nonce") ?? "",
    };
  };
  return {
    fake,
    tessera,
    logs,
    browser,
    beginLogin,
    callback,
    async signInWith(client, makeToken, returnTo) {
      const { state, nonce } = await beginLogin(client, returnTo);
      fake.respondWithIdToken(await makeToken(nonce));
      return callback(client, { code: "the-code", state });
    },
    async close() {
      await tessera.close();
      fake.close();
    },
  };
};

/** Asserts a failed callback: the given status and code, no session cookie, and /me still refuses. */
export const expectNoSession = async (client: Browser, response: Response, status: number, code: string) => {
  expect(response.status).toBe(status);
  const body = await response.json();
  expect(body.code).toBe(code);
  expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("tessera_session="))).toBe(false);
  expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(401);
  return body;
};
