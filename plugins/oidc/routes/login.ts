// GET /auth/login?returnTo=: a 302 to the provider (code flow, PKCE S256, state, nonce), with the
// sign-in sealed into a cookie named after its state.
import { Elysia } from "elysia";
import { startAuthorization } from "../authorization-code";
import { browserResponse, requestIdOf } from "../browser-response";
import { clearCookie, cookieNamesWithPrefix, setCookie } from "../cookies";
import { FLOW_COOKIE_PREFIX, FLOW_TTL_SECONDS, flowCookieName, sealFlow } from "../login-flow";
import type { RelyingParty } from "../relying-party";
import { safeReturnTo } from "../return-to";

// Each click on "sign in" leaves a cookie for ten minutes; past a handful, the old ones go so the
// Cookie header can't grow until the server refuses it.
const MAX_FLOWS_IN_FLIGHT = 5;

export const loginRoute = (rp: RelyingParty) =>
  new Elysia({ name: "oidc-login" }).get(
    "/auth/login",
    ({ request, query, set }) =>
      browserResponse({ request, requestId: requestIdOf(set.headers), log: rp.ctx.log, retryHref: "/auth/login" }, async () => {
        const { settings } = rp;
        const provider = rp.connection.require();
        const returnTo = safeReturnTo(query.returnTo);
        const authorization = startAuthorization(settings, provider.metadata.authorizationEndpoint);
        const sealed = await sealFlow({ ...authorization, returnTo }, rp.flowKey());
        const headers = new Headers({ location: authorization.url.toString(), "cache-control": "no-store" });
        const inFlight = cookieNamesWithPrefix(request, FLOW_COOKIE_PREFIX);
        if (inFlight.length >= MAX_FLOWS_IN_FLIGHT) {
          for (const name of inFlight)
            headers.append("set-cookie", clearCookie(name, settings.flowCookiePath, settings.secureCookies));
        }
        headers.append(
          "set-cookie",
          setCookie(flowCookieName(authorization.state), sealed, {
            path: settings.flowCookiePath,
            maxAgeSeconds: FLOW_TTL_SECONDS,
            secure: settings.secureCookies,
          }),
        );
        return new Response(null, { status: 302, headers });
      }),
    { detail: { summary: "Start single sign-on: redirects to the OpenID provider", tags: ["auth"] } },
  );
