// A real OpenID provider for tests: the `oidc-provider` package on a free 127.0.0.1 port, with a
// confidential client for Tessera (PKCE required, back-channel logout, RP-initiated logout), a public
// "CLI" client for fetching access tokens, an API resource that gets JWT access tokens, and the dev
// login pages driven by a Browser (any login name signs in; its email is <login>@example.test).
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { errors, type ResourceServer } from "oidc-provider";
import type { Browser } from "./browser";

export const TEST_CLIENT_SECRET = "test-client-secret-0123456789abcdef";
export const CLI_CLIENT_ID = "tessera-cli";
const CLI_REDIRECT_URI = "http://127.0.0.1/cli-callback";

export interface TestProviderOptions {
  /** Tessera's redirect URI (its publicUrl + /auth/callback). */
  redirectUri: string;
  postLogoutRedirectUri?: string;
  /** Where the provider posts logout tokens; omit to leave back-channel logout off for the client. */
  backchannelLogoutUri?: string;
  clientId?: string;
  /** A provider that only takes client_secret_post at its token endpoint. */
  postOnly?: boolean;
  /** The resource (audience) that gets JWT access tokens. */
  apiAudience?: string;
  /** A fixed port (to start the provider after Tessera already points at it). */
  port?: number;
  /**
   * A login's email and whether the provider calls it verified, asked at every sign-in (so a test can
   * change them between two); by default <login>@example.test, verified.
   */
  account?: (login: string) => { email?: string; emailVerified?: boolean; groups?: string[] } | undefined;
}

export interface TestProvider {
  issuer: string;
  /** host:port, for net grants. */
  host: string;
  clientId: string;
  clientSecret: string;
  /** Drives the dev login (and consent) from an authorization URL; returns the redirect back to the client, unvisited. */
  signIn(browser: Browser, authorizationUrl: string, login: string): Promise<URL>;
  /** Ends the browser's session at the provider (its own logout page), which sends back-channel logout. */
  endSession(browser: Browser, from?: string): Promise<URL>;
  /** An access token for `login` through the public CLI client; a JWT when `resource` is the API audience. */
  accessToken(browser: Browser, login: string, resource?: string): Promise<string>;
  close(): Promise<void>;
}

const listen = (server: Server, port: number) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });

const hiddenInputs = (html: string): Record<string, string> =>
  Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));

const formAction = (html: string): string | undefined => /<form[^>]*action="([^"]+)"/.exec(html)?.[1];

export const startTestProvider = async (options: TestProviderOptions): Promise<TestProvider> => {
  const server = createServer();
  const port = await listen(server, options.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = options.clientId ?? "tessera";
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "test-key-1", alg: "RS256", use: "sig" };
  const authMethod = options.postOnly ? "client_secret_post" : "client_secret_basic";

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: TEST_CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: options.postLogoutRedirectUri ? [options.postLogoutRedirectUri] : [],
        token_endpoint_auth_method: authMethod,
        ...(options.backchannelLogoutUri
          ? { backchannel_logout_uri: options.backchannelLogoutUri, backchannel_logout_session_required: true }
          : {}),
      },
      { client_id: CLI_CLIENT_ID, token_endpoint_auth_method: "none", redirect_uris: [CLI_REDIRECT_URI] },
    ],
    clientAuthMethods: options.postOnly ? ["client_secret_post", "none"] : ["client_secret_basic", "client_secret_post", "none"],
    jwks: { keys: [signingKey] },
    cookies: { keys: ["test-provider-cookie-key"] },
    pkce: { required: () => true },
    // Explicit lifetimes and pages keep oidc-provider's "you SHOULD change this" notices out of test output.
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => {
        const account = options.account?.(id);
        const email = account?.email ?? `${id}@example.test`;
        return {
          sub: id,
          email,
          email_verified: account?.emailVerified ?? true,
          name: `Test ${id}`,
          ...(account?.groups ? { groups: account.groups } : {}),
        };
      },
    }),
    // Groups as Authentik sends them: a `groups` claim under a scope of the same name.
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: { body: string }, form: string) => {
          ctx.body = `<!doctype html><html><body>${form}<button form="op.logoutForm" name="logout" value="yes">Sign out</button></body></html>`;
        },
        postLogoutSuccessSource: (ctx: { body: string }) => {
          ctx.body = "<!doctype html><html><body>Signed out</body></html>";
        },
      },
      introspection: { enabled: true, allowedPolicy: () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string): ResourceServer => {
          if (resource !== options.apiAudience) throw new errors.InvalidTarget();
          return {
            scope: "api",
            audience: resource,
            accessTokenFormat: "jwt",
            accessTokenTTL: 600,
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
  });
  server.on("request", provider.callback());

  const isProvider = (url: URL) => url.origin === issuer;

  // Walks the dev interaction pages (login, then consent) until the provider redirects elsewhere.
  const authorize = async (browser: Browser, authorizationUrl: string, login: string): Promise<URL> => {
    let hop = await browser.follow(authorizationUrl, {}, (next) => !isProvider(next));
    for (let step = 0; step < 5; step++) {
      if (!isProvider(new URL(hop.url))) return new URL(hop.url);
      const html = await hop.response.text();
      const prompt = hiddenInputs(html).prompt ?? /name="prompt" value="(\w+)"/.exec(html)?.[1];
      if (!prompt)
        throw new Error(`test provider: no interaction at ${hop.url} (HTTP ${hop.response.status}): ${html.slice(0, 300)}`);
      const body = new URLSearchParams(prompt === "login" ? { prompt, login, password: "any" } : { prompt });
      const action = new URL(formAction(html) ?? new URL(hop.url).pathname, issuer);
      hop = await browser.follow(action, { method: "POST", body }, (next) => !isProvider(next));
    }
    throw new Error("test provider: sign-in did not finish within 5 interactions");
  };

  return {
    issuer,
    host: `127.0.0.1:${port}`,
    clientId,
    clientSecret: TEST_CLIENT_SECRET,
    signIn: authorize,
    async endSession(browser, from = `${issuer}/session/end`) {
      const page = await browser.follow(from, {}, (next) => !isProvider(next));
      if (!isProvider(new URL(page.url))) return new URL(page.url);
      const html = await page.response.text();
      const action = formAction(html);
      if (!action) throw new Error(`test provider: no logout form at ${page.url}: ${html.slice(0, 300)}`);
      const body = new URLSearchParams({ ...hiddenInputs(html), logout: "yes" });
      const done = await browser.follow(new URL(action, issuer), { method: "POST", body }, (next) => !isProvider(next));
      return new URL(done.url);
    },
    async accessToken(browser, login, resource) {
      const verifier = crypto.randomUUID() + crypto.randomUUID();
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      const url = new URL(`${issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: CLI_CLIENT_ID,
        response_type: "code",
        redirect_uri: CLI_REDIRECT_URI,
        scope: resource ? "openid api" : "openid",
        code_challenge: challenge,
        code_challenge_method: "S256",
        ...(resource ? { resource } : {}),
      }).toString();
      const back = await authorize(browser, url.toString(), login);
      const code = back.searchParams.get("code");
      if (!code) throw new Error(`test provider: no code in ${back}`);
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: CLI_REDIRECT_URI,
          code_verifier: verifier,
          client_id: CLI_CLIENT_ID,
          ...(resource ? { resource } : {}),
        }),
      });
      const tokens = (await response.json()) as { access_token?: string };
      if (!tokens.access_token) throw new Error(`test provider: no access token: ${JSON.stringify(tokens)}`);
      return tokens.access_token;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
};
