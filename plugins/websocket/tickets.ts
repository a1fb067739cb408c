// Single-use WebSocket tickets (POST /ws/ticket → ?ticket=): short-lived HS256 JWTs bound to the
// user, carrying the expiry and the session of the credential they were issued for (and a guest's
// peer), so the socket ends with that credential: at its expiry, or when it is revoked.
import { errors, jwtVerify, SignJWT } from "jose";
import { type SingleUse, unauthenticated } from "tessera/plugin";
import type { Identity } from "./connection";

const TYPE = "tessera-ws-ticket+jwt";
const AUDIENCE = "tessera:ws";

export interface IssuedTicket {
  ticket: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface Tickets {
  issue(identity: Identity): Promise<IssuedTicket>;
  redeem(ticket: string): Promise<Identity>;
}

export interface TicketOptions {
  secret: Uint8Array<ArrayBuffer>;
  ttlSeconds: number;
  /** Remembers redeemed ticket ids; shared by every instance when Redis is configured. */
  ledger: Pick<SingleUse, "claim">;
  /** This instance's public URL: a ticket names who issued it. */
  issuer: string;
}

const invalid = (cause: unknown) =>
  unauthenticated("The ticket is invalid or expired; get a new one from POST /ws/ticket", { cause });

export const createTickets = async ({ secret, ttlSeconds, ledger, issuer }: TicketOptions): Promise<Tickets> => {
  // Imported once: jose would otherwise import the raw key on every sign and verify.
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  return {
    async issue({ userId, expiresAt, sessionId, guestOf }) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + ttlSeconds;
      const claims = {
        ...(expiresAt === undefined ? {} : { cx: expiresAt }),
        ...(sessionId === undefined ? {} : { sid: sessionId }),
        ...(guestOf === undefined ? {} : { gst: guestOf }),
      };
      const ticket = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: TYPE })
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setSubject(userId)
        .setJti(crypto.randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(key);
      return { ticket, expiresAt: exp * 1000 };
    },
    async redeem(ticket) {
      let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
      try {
        ({ payload } = await jwtVerify(ticket, key, {
          algorithms: ["HS256"],
          typ: TYPE,
          issuer,
          audience: AUDIENCE,
          requiredClaims: ["sub", "jti", "iat", "exp"],
          maxTokenAge: `${ttlSeconds}s`,
        }));
      } catch (error) {
        if (error instanceof errors.JOSEError) throw invalid(error);
        throw error;
      }
      const { sub, jti, exp, cx, sid, gst } = payload;
      if (typeof sub !== "string" || typeof jti !== "string" || typeof exp !== "number") throw invalid(undefined);
      if (!(await ledger.claim(`ws-ticket:${jti}`, exp * 1000))) {
        throw unauthenticated("The ticket was already used; tickets are single-use, get a new one from POST /ws/ticket");
      }
      return {
        userId: sub,
        expiresAt: typeof cx === "number" ? cx : undefined,
        ...(typeof sid === "string" ? { sessionId: sid } : {}),
        ...(typeof gst === "string" ? { guestOf: gst } : {}),
      };
    },
  };
};
