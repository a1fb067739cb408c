// POST /auth/backchannel-logout: the provider tells us a user or one of their provider sessions
// signed out (OpenID Back-Channel Logout 1.0). A validated, never-seen logout token revokes the
// matching sessions: by (issuer, sid), or every session of the (issuer, sub) user. With several
// providers, the token's (unverified) `iss` only chooses whose keys and client id verify it.
import { Elysia } from "elysia";
import { responses } from "tessera/plugin";
import { recordOnce } from "tessera/plugin/db";
import { findUserByIdentity, revokeSessionsWhere } from "tessera/plugin/identity";
import { markerKey } from "../kv";
import { type LogoutClaims, validateLogoutToken } from "../logout-token";
import type { ProviderClient, RelyingParty } from "../relying-party";
import { claimedIssuer, tokenRejected } from "../verify-jwt";

const FORM = "application/x-www-form-urlencoded";

const logoutTokenOf = (request: Request, body: unknown): string => {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  const token = typeof body === "object" && body !== null && "logout_token" in body ? body.logout_token : undefined;
  if (type !== FORM || typeof token !== "string" || token === "") {
    throw tokenRejected("logout token", "missing", `Send the logout token as the logout_token field of an ${FORM} body`);
  }
  return token;
};

const providerFor = (rp: RelyingParty, token: string): ProviderClient => {
  if (rp.providers.length === 1) return rp.defaultProvider();
  const issuer = claimedIssuer(token);
  const client = issuer === undefined ? rp.defaultProvider() : rp.byIssuer(issuer);
  if (!client)
    throw tokenRejected("logout token", "claim_invalid", "The logout token's issuer is not a configured provider", {
      claim: "iss",
    });
  return client;
};

const revoke = async (rp: RelyingParty, issuer: string, { subject, sid }: LogoutClaims): Promise<number> => {
  const user = subject ? await findUserByIdentity(rp.ctx.db, issuer, subject) : null;
  if (sid) return revokeSessionsWhere(rp.ctx.db, { issuer, sid, ...(user ? { userId: user.id } : {}) });
  return user ? revokeSessionsWhere(rp.ctx.db, { issuer, userId: user.id }) : 0;
};

export const backchannelLogoutRoute = (rp: RelyingParty) =>
  new Elysia({ name: "oidc-backchannel-logout" }).post(
    "/auth/backchannel-logout",
    async ({ request, body, set }) => {
      set.headers["cache-control"] = "no-store";
      const token = logoutTokenOf(request, body);
      const { settings, connection } = providerFor(rp, token);
      const claims = await validateLogoutToken(token, {
        issuer: settings.issuer,
        clientId: settings.clientId,
        keys: connection.require().keys,
        clockToleranceSeconds: settings.clockToleranceSeconds,
      });
      // Remembered until the token could no longer verify (plus the clock tolerance).
      const until = (claims.exp + settings.clockToleranceSeconds) * 1000;
      if (!(await recordOnce(rp.ctx.db, markerKey("jti", settings.issuer, claims.jti), until))) {
        throw tokenRejected("logout token", "replayed", "This logout token was used already");
      }
      const revoked = await revoke(rp, settings.issuer, claims);
      rp.ctx.log.info("back-channel logout", { revoked, bySid: claims.sid !== undefined });
      return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
    },
    {
      detail: {
        summary: "OpenID Back-Channel Logout: the provider ends sessions here",
        tags: ["auth"],
        security: [],
        responses: responses({ 200: { description: "The sessions named by the logout token are ended", body: null } }, 400, 415),
      },
    },
  );
