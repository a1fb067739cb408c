// POST /auth/logout: revokes the session and sends the browser (303) to the provider's end-session
// endpoint when it has one, so the provider's session ends too (RP-initiated logout), or else to
// postLogoutRedirectUri. A cookie-authenticated request must come from this site (CSRF).
import { Elysia } from "elysia";
import { redirect, requireSameOrigin, responses } from "tessera/plugin";
import { bearerToken, cookieValue, revokeSessionByToken, SESSION_COOKIE, type Session } from "tessera/plugin/identity";
import { clearCookie } from "../cookies";
import type { RelyingParty } from "../relying-party";

// The provider the session was signed in at, if it is still configured and offers RP-initiated logout.
const endSessionUrl = (rp: RelyingParty, session: Session | null): string => {
  const { postLogoutRedirectUri } = rp.settings;
  const client = session?.issuer ? rp.byIssuer(session.issuer) : undefined;
  const endpoint = client?.connection.current()?.metadata.endSessionEndpoint;
  if (!client || !endpoint || !session?.idToken) return postLogoutRedirectUri;
  const { clientId } = client.settings;
  const url = new URL(endpoint);
  url.searchParams.set("id_token_hint", session.idToken);
  url.searchParams.set("post_logout_redirect_uri", postLogoutRedirectUri);
  url.searchParams.set("client_id", clientId);
  return url.toString();
};

export const logoutRoute = (rp: RelyingParty) =>
  new Elysia({ name: "oidc-logout" }).post(
    "/auth/logout",
    async ({ request }) => {
      const bearer = bearerToken(request);
      // A cross-site form can send the cookie but never an Authorization header.
      if (!bearer) requireSameOrigin(request, rp.ctx.instance.allowedOrigins);
      const token = bearer ?? cookieValue(request, SESSION_COOKIE);
      const session = token ? await revokeSessionByToken(rp.ctx.db, token) : null;
      const headers = new Headers({ location: endSessionUrl(rp, session), "cache-control": "no-store" });
      headers.append("set-cookie", clearCookie(SESSION_COOKIE, "/", rp.settings.secureCookies));
      return new Response(null, { status: 303, headers });
    },
    {
      detail: {
        summary: "Sign out: revokes the session, then signs out at the provider where it offers that",
        tags: ["auth"],
        responses: responses({ 303: redirect("To the provider's end-session endpoint, or postLogoutRedirectUri") }, 403),
      },
    },
  );
