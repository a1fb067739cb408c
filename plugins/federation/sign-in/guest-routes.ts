// Federated sign-in, this instance's side: GET /auth/federated/:peer sends the browser to the peer (its
// home instance) with a nonce bound to a cookie only this browser holds; the peer sends it back to
// .../callback with a signed assertion, verified as strictly as an ID token, and a guest session starts.
import { Elysia, t } from "elysia";
import { forbidden, notFound, parseDuration, redirect, responses, safeReturnTo } from "tessera/plugin";
import { cookieValue, createSession, revokeSessionByToken, SESSION_COOKIE } from "tessera/plugin/identity";
import type { AnonymousLimits } from "../anonymous-limits";
import { fedError } from "../errors";
import type { Federation } from "../federation";
import type { PeerEntry } from "../peers/peer-cache";
import { CLOCK_SKEW_S } from "../wire/constants";
import { assertionRejected, verifyAssertion } from "./assertion";
import { findOrCreateGuest } from "./guests";
import { claimAssertion, FLOW_TTL_MS, nonceOf, savePendingSignIn, takePendingSignIn } from "./single-use";

const COOKIE_PATH = "/auth/federated";
const STATE = /^[\w-]{16,128}$/;
const randomToken = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
const flowCookie = (state: string) => `tessera_fed_${state}`;
const guestSessionTtlMs = (fed: Federation) =>
  parseDuration(fed.config.guests.sessionTtl, "plugins.federation.guests.sessionTtl");

const cookie = (fed: Federation, name: string, value: string, path: string, maxAgeS: number) =>
  `${name}=${value}; Path=${path}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Lax${fed.self.url.startsWith("https:") ? "; Secure" : ""}`;

/** An active peer: 404 for none (so ids can't be told from peers), 403 for one not active now. */
const activePeer = async (fed: Federation, id: string): Promise<PeerEntry> => {
  const entry = await fed.peers.get(id);
  if (!entry) throw notFound("No such peer", { path: id });
  if (entry.peer.status !== "active") {
    throw fedError("ERR_FED_PEER", 403, `Peer ${id} is ${entry.peer.status}: its users can't sign in here now`);
  }
  return entry;
};

const start = async (fed: Federation, peerId: string, returnTo: unknown) => {
  const entry = await activePeer(fed, peerId);
  const secret = randomToken();
  const state = randomToken();
  const nonce = nonceOf(secret);
  const pending = { peerId, nonce, returnTo: safeReturnTo(returnTo) };
  await savePendingSignIn(fed.db, state, pending, fed.config.guests.maxPendingSignIns);
  const target = new URL(`${entry.peer.url}/federation/v1/sign-in`);
  target.search = new URLSearchParams({ aud: fed.self.id, nonce, state }).toString();
  const headers = new Headers({ location: target.toString(), "cache-control": "no-store" });
  headers.append("set-cookie", cookie(fed, flowCookie(state), secret, COOKIE_PATH, FLOW_TTL_MS / 1000));
  return new Response(null, { status: 302, headers });
};

const complete = async (fed: Federation, request: Request, peerId: string, state: string, assertion: string) => {
  if (!STATE.test(state)) throw assertionRejected("state", "the callback carries no valid state");
  const pending = await takePendingSignIn(fed.db, state);
  if (!pending || pending.peerId !== peerId) {
    throw assertionRejected("state", "no sign-in with this state is in progress (it expired, or was completed already)");
  }
  // Only the browser that started the sign-in holds the secret whose hash is the nonce (login CSRF).
  const secret = cookieValue(request, flowCookie(state));
  if (!secret || nonceOf(secret) !== pending.nonce) {
    throw assertionRejected("browser", "this sign-in was started in another browser");
  }
  const entry = await activePeer(fed, peerId);
  const claims = await verifyAssertion(assertion, { peer: entry, audience: fed.self.id, nonce: pending.nonce });
  if (!(await claimAssertion(fed.db, claims.iss, claims.jti, (claims.exp + CLOCK_SKEW_S) * 1000))) {
    throw assertionRejected("replayed", "it was used already");
  }
  const guest = await findOrCreateGuest(fed.db, { id: peerId, name: entry.peer.name ?? new URL(entry.peer.url).host }, claims);
  // (issuer, subject) can only be a guest's, as no provider's issuer is a peer id; checked all the same,
  // since a session here must never be a user of ours started by a peer.
  if (guest.guestOf !== peerId) throw forbidden("This identity is not a guest of that peer");
  const previous = cookieValue(request, SESSION_COOKIE);
  if (previous) await revokeSessionByToken(fed.db, previous);
  const ttlMs = guestSessionTtlMs(fed);
  // The peer's id as the session's issuer: suspending or disconnecting the peer ends these sessions.
  const { token } = await createSession(fed.db, guest.id, { ttlMs, issuer: peerId });
  fed.log.info("federated sign-in", { peer: peerId, user: guest.id });
  const headers = new Headers({ location: pending.returnTo, "cache-control": "no-store" });
  headers.append("set-cookie", cookie(fed, flowCookie(state), "", COOKIE_PATH, 0));
  headers.append("set-cookie", cookie(fed, SESSION_COOKIE, token, "/", Math.floor(ttlMs / 1000)));
  return new Response(null, { status: 303, headers });
};

const PeerParams = t.Object({ peer: t.String({ minLength: 1, maxLength: 128 }) });
const tags = ["auth"];

export const guestRoutes = (fed: Federation, limits: AnonymousLimits) =>
  new Elysia({ name: "federation-guest-sign-in" })
    .get(
      "/auth/federated/:peer",
      async ({ request, server, params, query }) => {
        // Counted before the peer is looked up, so probing for peer ids spends the allowance too.
        await limits.signInStart(request, server);
        return start(fed, params.peer, query.returnTo);
      },
      {
        params: PeerParams,
        detail: {
          summary: "Sign in as a user of a peer: redirects to that instance",
          tags,
          security: [],
          responses: responses({ 302: redirect("To the peer's /federation/v1/sign-in") }, 403, 404, 422, 429),
        },
      },
    )
    .get(
      "/auth/federated/:peer/callback",
      ({ request, params, query }) => complete(fed, request, params.peer, query.state, query.assertion),
      {
        params: PeerParams,
        query: t.Object({ state: t.String({ maxLength: 128 }), assertion: t.String({ maxLength: 8192 }) }),
        detail: {
          summary: "Where the peer returns the browser with its signed assertion; starts a guest session",
          tags,
          security: [],
          responses: responses(
            { 303: redirect("Signed in as a guest: to returnTo, the session cookie set") },
            400,
            401,
            403,
            422,
          ),
        },
      },
    );
