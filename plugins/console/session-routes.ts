// Signing in to the console without an identity provider: a session token from
// `tessera sessions create` is posted from the page's form and becomes the session cookie, so the
// console works on the embedded default too. Sign-out revokes the session and clears the cookie
// (with the oidc plugin on, the page signs out through /auth/logout instead, to end the IdP session).
import { Elysia, t } from "elysia";
import { redirect as redirectDoc, responses } from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import { cookieValue, findSessionByToken, revokeSessionByToken, SESSION_COOKIE } from "tessera/plugin/identity";
import { clearSessionCookie, sessionCookie } from "./session-cookie";

export interface SessionRouteOptions {
  db: Database;
  /** Cookies get Secure when the public URL is https. */
  secure: boolean;
  requireSameOrigin: (request: Request) => void;
}

const tags = ["console"];

const redirect = (location: string, cookie: string) =>
  new Response(null, { status: 303, headers: { location, "set-cookie": cookie, "cache-control": "no-store" } });

export const sessionRoutes = ({ db, secure, requireSameOrigin }: SessionRouteOptions) =>
  new Elysia({ name: "console-session" })
    .post(
      "/console/session",
      async ({ request, body }) => {
        // Before the token is looked at: a foreign page must not sign a visitor in as someone else.
        requireSameOrigin(request);
        const token = body.token.trim();
        const found = await findSessionByToken(db, token);
        if (!found) return redirect("/?signin=unknown-token", clearSessionCookie(secure));
        const maxAgeSeconds = Math.floor((found.session.expiresAt - Date.now()) / 1000);
        return redirect("/", sessionCookie(token, maxAgeSeconds, secure));
      },
      {
        body: t.Object({ token: t.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        detail: {
          summary: "Sign in to the console with a session token (form post from the page)",
          tags,
          security: [],
          responses: responses(
            { 303: redirectDoc("To the console, the session cookie set (or cleared for an unknown token)") },
            403,
            422,
          ),
        },
      },
    )
    .post(
      "/console/sign-out",
      async ({ request }) => {
        requireSameOrigin(request);
        const token = cookieValue(request, SESSION_COOKIE);
        if (token) await revokeSessionByToken(db, token);
        return redirect("/", clearSessionCookie(secure));
      },
      {
        detail: {
          summary: "Sign out of the console: revokes the cookie's session",
          tags,
          security: [{ sessionCookie: [] }],
          responses: responses({ 303: redirectDoc("To the console, the session cookie cleared") }, 403),
        },
      },
    );
