// GET /auth/login?returnTo= (the first provider) and GET /auth/login/:provider: a 302 to the
// provider (code flow, PKCE S256, state, nonce), with the sign-in sealed into a cookie named after
// its state. The sealed flow names the provider, so the one callback can route it.
import { Elysia } from "elysia";
import { type PeerAddress, rateLimited, redirect, responses, safeReturnTo } from "tessera/plugin";
import { startAuthorization } from "../authorization-code";
import { browserResponse, requestIdOf } from "../browser-response";
import { clearCookie, cookieNamesWithPrefix, setCookie } from "../cookies";
import { FLOW_COOKIE_PREFIX, FLOW_TTL_SECONDS, flowCookieName, sealFlow } from "../login-flow";
import type { ProviderClient, RelyingParty } from "../relying-party";

// Each click on "sign in" leaves a cookie for ten minutes; past a handful, the old ones go so the
// Cookie header can't grow until the server refuses it.
const MAX_FLOWS_IN_FLIGHT = 5;
const MINUTE_MS = 60_000;

const redirectToProvider = async (rp: RelyingParty, client: ProviderClient, request: Request, returnTo: unknown) => {
  const { flowCookiePath, secureCookies } = rp.settings;
  const provider = client.connection.require();
  const authorization = startAuthorization(client.settings, provider.metadata.authorizationEndpoint);
  const flow = { ...authorization, provider: client.settings.id, returnTo: safeReturnTo(returnTo) };
  const sealed = await sealFlow(flow, rp.flowKey());
  const headers = new Headers({ location: authorization.url.toString(), "cache-control": "no-store" });
  const inFlight = cookieNamesWithPrefix(request, FLOW_COOKIE_PREFIX);
  if (inFlight.length >= MAX_FLOWS_IN_FLIGHT) {
    for (const name of inFlight) headers.append("set-cookie", clearCookie(name, flowCookiePath, secureCookies));
  }
  headers.append(
    "set-cookie",
    setCookie(flowCookieName(authorization.state), sealed, {
      path: flowCookiePath,
      maxAgeSeconds: FLOW_TTL_SECONDS,
      secure: secureCookies,
    }),
  );
  return new Response(null, { status: 302, headers });
};

// Anyone may start a sign-in; each start costs a provider round trip and a cookie, so one client
// address gets a bounded number. Refused outside browserResponse: a flood must not write a log line each.
const loginLimit = (rp: RelyingParty) => async (request: Request, peer: PeerAddress | null) => {
  const rule = { limit: rp.loginsPerMinute, windowMs: MINUTE_MS };
  const decision = await rp.ctx.limits.consume(`oidc-login:${rp.ctx.clientAddress(request, peer)}`, rule);
  if (!decision.allowed) throw rateLimited(decision);
};

export const loginRoute = (rp: RelyingParty) => {
  const admit = loginLimit(rp);
  return new Elysia({ name: "oidc-login" })
    .get(
      "/auth/login",
      async ({ request, server, query, set }) => {
        await admit(request, server);
        return browserResponse({ request, requestId: requestIdOf(set.headers), log: rp.ctx.log, retryHref: "/auth/login" }, () =>
          redirectToProvider(rp, rp.defaultProvider(), request, query.returnTo),
        );
      },
      {
        detail: {
          summary: "Start single sign-on at the first provider: redirects to it",
          tags: ["auth"],
          security: [],
          responses: responses({ 302: redirect("To the provider's authorization endpoint") }, 422, 429, 502, 503),
        },
      },
    )
    .get(
      "/auth/login/:provider",
      async ({ request, server, query, params, set }) => {
        await admit(request, server);
        return browserResponse({ request, requestId: requestIdOf(set.headers), log: rp.ctx.log, retryHref: "/" }, () =>
          redirectToProvider(rp, rp.provider(params.provider), request, query.returnTo),
        );
      },
      {
        detail: {
          summary: "Start single sign-on at the named provider: redirects to it",
          tags: ["auth"],
          security: [],
          responses: responses({ 302: redirect("To the provider's authorization endpoint") }, 404, 422, 429, 502, 503),
        },
      },
    );
};
