// GET /auth/frontchannel-logout?iss=&sid=: the provider's logout page loads this in an iframe (OpenID
// Front-Channel Logout 1.0) for providers that have no back-channel, LemonLDAP::NG among them. The
// sessions signed in with that provider session end. Both parameters are required: without a sid
// there is no telling which session the browser in the iframe had, and a cookie-only logout would
// let any site that frames this page sign its visitors out.
import { Elysia, t } from "elysia";
import { responses } from "tessera/plugin";
import { revokeSessionsWhere } from "tessera/plugin/identity";
import { oidcError } from "../errors";
import type { RelyingParty } from "../relying-party";

const MAX_SID_LENGTH = 255;

const refused = (message: string) => oidcError("ERR_OIDC_LOGOUT_REQUEST", 400, message);

export const frontchannelLogoutRoute = (rp: RelyingParty) =>
  new Elysia({ name: "oidc-frontchannel-logout" }).get(
    "/auth/frontchannel-logout",
    async ({ query }) => {
      const { iss, sid } = query;
      if (typeof iss !== "string" || typeof sid !== "string" || sid === "" || sid.length > MAX_SID_LENGTH) {
        throw refused("Front-channel logout needs the iss and sid parameters");
      }
      const client = rp.byIssuer(iss);
      if (!client) throw refused("The logout request's issuer is not a configured provider");
      // An unknown sid ends nothing and gets the same page: the answer says nothing about which sids exist.
      const revoked = await revokeSessionsWhere(rp.ctx.db, { issuer: client.settings.issuer, sid });
      rp.ctx.log.info("front-channel logout", { provider: client.settings.id, revoked });
      return new Response("<!doctype html><title>Signed out</title>", {
        status: 200,
        headers: {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          // Only the provider's logout page may frame it; nothing in it may load or run.
          "content-security-policy": `default-src 'none'; frame-ancestors ${new URL(client.settings.issuer).origin}`,
          "referrer-policy": "no-referrer",
        },
      });
    },
    {
      detail: {
        summary: "OpenID Front-Channel Logout: the provider's logout page ends sessions here",
        tags: ["auth"],
        security: [],
        responses: responses(
          {
            200: {
              description: "A blank page; the sessions of that provider session are ended",
              body: { "text/html": t.String() },
            },
          },
          400,
        ),
      },
    },
  );
