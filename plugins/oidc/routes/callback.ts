// GET /auth/callback: every provider sends the browser back here. The state must name a sign-in this
// browser started (its sealed cookie, which names the provider) and is single-use; the code is
// exchanged with that provider and the PKCE verifier; the ID token is verified against that provider
// alone; then a new session starts and the browser goes to returnTo.
import { Elysia } from "elysia";
import { badRequest, redirect, responses } from "tessera/plugin";
import { recordOnce } from "tessera/plugin/db";
import { cookieValue, SESSION_COOKIE } from "tessera/plugin/identity";
import { exchangeCode } from "../authorization-code";
import { browserResponse, requestIdOf } from "../browser-response";
import { clearCookie, setCookie } from "../cookies";
import { oidcError } from "../errors";
import { usesGroups } from "../groups";
import { type IdTokenClaims, validateIdToken } from "../id-token";
import { markerKey } from "../kv";
import { FLOW_TTL_SECONDS, flowCookieName, isStateShaped, type LoginFlow, openFlow } from "../login-flow";
import type { Provider } from "../provider-connection";
import type { ProviderClient, RelyingParty } from "../relying-party";
import { signIn } from "../sign-in";
import { fetchUserinfo } from "../userinfo";

const PROVIDER_ERRORS: Record<string, { status: number; message: string }> = {
  access_denied: { status: 403, message: "Sign-in was cancelled or refused at the identity provider" },
  login_required: { status: 401, message: "The identity provider needs you to sign in first" },
  interaction_required: { status: 401, message: "The identity provider needs you to sign in first" },
  consent_required: { status: 401, message: "The identity provider needs your consent first" },
  temporarily_unavailable: { status: 503, message: "The identity provider is having trouble; try again shortly" },
  server_error: { status: 503, message: "The identity provider is having trouble; try again shortly" },
};

// The provider's error_description is never shown: anyone can craft a callback link, so it would let
// them put words on this site's page. A well-formed error code is safe to name.
const providerRefused = (error: string) => {
  const known = PROVIDER_ERRORS[error];
  const shaped = /^[a-z_]{1,64}$/.test(error);
  return oidcError(
    "ERR_OIDC_PROVIDER_ERROR",
    known?.status ?? 400,
    known?.message ?? `The identity provider refused the sign-in${shaped ? ` (${error})` : ""}`,
    { details: shaped ? { error } : undefined },
  );
};

/** Each parameter at most once (RFC 6749 §3.1), so no two readers can see different values. */
const singleParams = (url: URL) => {
  const params = url.searchParams;
  for (const name of new Set(params.keys())) {
    if (params.getAll(name).length > 1) throw badRequest(`The callback repeats the "${name}" parameter`);
  }
  return params;
};

const openSignIn = async (rp: RelyingParty, request: Request, state: string | null, clear: string[]): Promise<LoginFlow> => {
  if (!state || !isStateShaped(state)) {
    throw oidcError("ERR_OIDC_STATE", 400, "The callback carries no valid state; start signing in from /auth/login");
  }
  const { flowCookiePath, secureCookies } = rp.settings;
  const name = flowCookieName(state);
  const sealed = cookieValue(request, name);
  if (!sealed) {
    throw oidcError(
      "ERR_OIDC_STATE",
      400,
      "No sign-in with this state is in progress in this browser: it expired (after 10 minutes), was completed already, or was started in another browser; sign in again",
    );
  }
  clear.push(clearCookie(name, flowCookiePath, secureCookies));
  const flow = await openFlow(sealed, rp.flowKey(), state);
  // The cookie is cleared, but a replayed request would still carry it: the database remembers the state.
  const fresh = await recordOnce(rp.ctx.db, markerKey("state", state), Date.now() + FLOW_TTL_SECONDS * 1000);
  if (!fresh) throw oidcError("ERR_OIDC_REPLAY", 400, "This sign-in was completed already; sign in again");
  return flow;
};

/**
 * RFC 9207: an `iss` in the response must be the provider the sign-in started at (so one provider
 * can't pass off a response as another's: a mix-up attack); a provider that promises one must send it.
 */
const checkResponseIssuer = (provider: Provider, iss: string | null) => {
  const { issuer, issParameterSupported } = provider.metadata;
  if (iss === null ? issParameterSupported : iss !== issuer) {
    throw oidcError(
      "ERR_OIDC_ISSUER",
      400,
      iss === null
        ? "The authorization response lacks the iss parameter the provider promises"
        : "The authorization response comes from another issuer",
    );
  }
};

const wantsProfile = ({ settings }: ProviderClient, claims: IdTokenClaims) =>
  (claims.email === undefined && settings.scopes.includes("email")) ||
  (claims.name === undefined && settings.scopes.includes("profile")) ||
  (claims.groups === undefined && usesGroups(settings));

// A provider removed from the config while a sign-in at it was in flight.
const providerOf = (rp: RelyingParty, flow: LoginFlow): ProviderClient => {
  const client = rp.providers.find(({ settings }) => settings.id === flow.provider);
  if (!client)
    throw oidcError("ERR_OIDC_STATE", 400, "This sign-in started at a provider that is no longer configured; sign in again");
  return client;
};

const complete = async (rp: RelyingParty, request: Request, clear: string[]) => {
  const params = singleParams(new URL(request.url));
  const flow = await openSignIn(rp, request, params.get("state"), clear);
  const error = params.get("error");
  if (error !== null) throw providerRefused(error);
  const client = providerOf(rp, flow);
  const provider = client.connection.require();
  checkResponseIssuer(provider, params.get("iss"));
  const code = params.get("code");
  if (!code) throw badRequest("The callback carries neither a code nor an error");

  const { settings } = client;
  const { ctx } = rp;
  const { metadata } = provider;
  const tokens = await exchangeCode(
    ctx.fetch,
    { ...settings, tokenEndpoint: metadata.tokenEndpoint, clientAuth: metadata.clientAuth },
    code,
    flow.codeVerifier,
  );
  let claims = await validateIdToken(tokens.idToken, {
    issuer: settings.issuer,
    clientId: settings.clientId,
    nonce: flow.nonce,
    keys: provider.keys,
    clockToleranceSeconds: settings.clockToleranceSeconds,
    groupsClaim: settings.groupsClaim,
  });
  if (wantsProfile(client, claims) && metadata.userinfoEndpoint && tokens.accessToken) {
    const profile = await fetchUserinfo(
      ctx.fetch,
      ctx.log,
      metadata.userinfoEndpoint,
      tokens.accessToken,
      claims.subject,
      settings.groupsClaim,
    );
    if (profile) {
      // An email and the provider's word that it is verified travel together.
      const email = claims.email === undefined ? { email: profile.email, emailVerified: profile.emailVerified } : {};
      claims = { ...claims, ...email, name: claims.name ?? profile.name, groups: claims.groups ?? profile.groups };
    }
  }
  const token = await signIn(ctx.db, request, {
    issuer: settings.issuer,
    linkByEmail: settings.linkByEmail,
    groups: usesGroups(settings) ? { settings, log: ctx.log } : undefined,
    claims,
    idToken: tokens.idToken,
    ttlMs: settings.sessionTtlMs,
  });

  const headers = new Headers({ location: flow.returnTo, "cache-control": "no-store" });
  for (const cookie of clear) headers.append("set-cookie", cookie);
  headers.append(
    "set-cookie",
    setCookie(SESSION_COOKIE, token, {
      path: "/",
      maxAgeSeconds: Math.floor(settings.sessionTtlMs / 1000),
      secure: settings.secureCookies,
    }),
  );
  return new Response(null, { status: 303, headers });
};

export const callbackRoute = (rp: RelyingParty) =>
  new Elysia({ name: "oidc-callback" }).get(
    "/auth/callback",
    ({ request, set }) =>
      browserResponse({ request, requestId: requestIdOf(set.headers), log: rp.ctx.log, retryHref: "/auth/login" }, (clear) =>
        complete(rp, request, clear),
      ),
    {
      detail: {
        summary: "Where the OpenID provider returns the browser; starts the session",
        tags: ["auth"],
        description: "A browser that asked for HTML gets an error page with the request id instead of problem+json.",
        security: [],
        responses: responses({ 303: redirect("Signed in: to returnTo, the session cookie set") }, 400, 401, 403, 502, 503),
      },
    },
  );
