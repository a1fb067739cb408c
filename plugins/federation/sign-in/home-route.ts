// Federated sign-in, the home instance's side: GET /federation/v1/sign-in?aud=<peer>&nonce=&state= signs,
// for the user signed in here, an assertion addressed to that peer, and sends the browser to the peer's
// callback at the URL pinned when it was accepted (never one the request names).
import { Elysia, t } from "elysia";
import { forbidden, isTesseraError, redirect, responses } from "tessera/plugin";
import type { Principal } from "tessera/plugin/identity";
import { fedError } from "../errors";
import type { Federation } from "../federation";
import { vouchedEmail } from "../identity/acting-user";
import { signAssertion } from "./assertion";

const TOKEN = "^[\\w-]{16,128}$";

/** The signed-in user, or null when the browser must sign in here first (no session, or a stale one). */
const userOf = async (fed: Federation, request: Request) => {
  let principal: Principal | null;
  try {
    principal = await fed.auth.principal(request);
  } catch (error) {
    if (isTesseraError(error) && error.status === 401) return null;
    throw error;
  }
  return principal?.kind === "user" ? principal.user : null;
};

const signInHere = (request: Request) => {
  const url = new URL(request.url);
  const returnTo = `${url.pathname}${url.search}`;
  return new Response(null, {
    status: 303,
    headers: { location: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`, "cache-control": "no-store" },
  });
};

export const homeRoute = (fed: Federation) =>
  new Elysia({ name: "federation-home-sign-in" }).get(
    "/federation/v1/sign-in",
    async ({ request, query }) => {
      const user = await userOf(fed, request);
      if (!user) return signInHere(request);
      // A guest here is someone else's user: it can't be passed on as ours (no identity laundering).
      if (user.guestOf !== null) throw forbidden("A guest from a peer can't sign in elsewhere through this instance");
      const entry = await fed.peers.get(query.aud);
      if (entry?.peer.status !== "active") {
        throw fedError("ERR_FED_PEER", 403, "That instance is not an active peer of this one");
      }
      const assertion = await signAssertion(fed.keys.current(), {
        iss: fed.self.id,
        aud: entry.peer.id,
        nonce: query.nonce,
        user: { sub: user.id, email: vouchedEmail(user), name: user.name ?? undefined },
      });
      const back = new URL(`${entry.peer.url}/auth/federated/${encodeURIComponent(fed.self.id)}/callback`);
      back.search = new URLSearchParams({ state: query.state, assertion }).toString();
      fed.log.info("federated sign-in assertion issued", { peer: entry.peer.id, user: user.id });
      return new Response(null, { status: 303, headers: { location: back.toString(), "cache-control": "no-store" } });
    },
    {
      query: t.Object({
        aud: t.String({ minLength: 1, maxLength: 128 }),
        nonce: t.String({ pattern: TOKEN }),
        state: t.String({ pattern: TOKEN }),
      }),
      detail: {
        summary: "Sign this instance's user in at a peer: redirects there with a signed assertion",
        tags: ["federation"],
        responses: responses({ 303: redirect("To the peer's callback with the assertion, or to sign in here first") }, 403, 422),
      },
    },
  );
