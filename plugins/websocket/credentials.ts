// Who a socket belongs to: from a ticket, from the upgrade request's own credentials (bearer token or
// session cookie, through the auth chain), from ?token= when allowed, or from an `auth` message.
import { andThen, badRequest, forbidden, type MaybePromise, unauthenticated } from "tessera/plugin";
import type { Auth, Principal, UserPrincipal } from "tessera/plugin/identity";
import type { Identity } from "./connection";
import type { Tickets } from "./tickets";

export interface Credentials {
  /** The identity an upgrade request proves; undefined when it carries no credential (the socket must send `auth`). */
  fromUpgrade(request: Request, query: Record<string, unknown>): MaybePromise<Identity | undefined>;
  /** A bearer token sent in an `auth` message (or ?token=). */
  fromToken(token: string): Promise<Identity>;
}

export interface CredentialOptions {
  auth: Auth;
  tickets: Tickets;
  /** Read at each upgrade: a reload changes it for the next one. */
  allowQueryToken: () => boolean;
  /** Any URL of this instance: the auth chain resolves tokens from a Request. */
  baseUrl: string;
}

// Visible ASCII only: anything else can't be a token and would not survive a header.
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

/** What a connection keeps of a user: enough to end it when the session or the guest's access goes. */
export const userIdentity = ({ user, expiresAt, sessionId }: UserPrincipal): Identity => ({
  userId: user.id,
  expiresAt,
  ...(sessionId === undefined ? {} : { sessionId }),
  ...(user.guestOf === null ? {} : { guestOf: user.guestOf }),
});

const identityOf = (principal: Principal): Identity => {
  if (principal.kind !== "user") throw forbidden("WebSocket subscriptions are for users, not services or peers");
  return userIdentity(principal);
};

export const createCredentials = ({ auth, tickets, allowQueryToken, baseUrl }: CredentialOptions): Credentials => {
  const fromToken = async (token: string): Promise<Identity> => {
    if (!TOKEN_SHAPE.test(token)) throw unauthenticated("The token is malformed");
    const principal = await auth.principal(new Request(baseUrl, { headers: { authorization: `Bearer ${token}` } }));
    if (!principal) throw unauthenticated("The token is not one this instance accepts (a session or access token)");
    return identityOf(principal);
  };

  return {
    fromToken,
    fromUpgrade(request, query) {
      const { ticket, token } = query;
      if (ticket !== undefined) {
        if (typeof ticket !== "string") throw badRequest("Send one `ticket`", { path: "ticket" });
        return tickets.redeem(ticket);
      }
      if (token !== undefined) {
        if (!allowQueryToken()) {
          throw badRequest("?token= is disabled here; use ?ticket= from POST /ws/ticket, a bearer header or an auth message", {
            path: "token",
          });
        }
        if (typeof token !== "string") throw badRequest("Send one `token`", { path: "token" });
        return fromToken(token);
      }
      return andThen(auth.principalNow(request), (principal) => (principal ? identityOf(principal) : undefined));
    },
  };
};
