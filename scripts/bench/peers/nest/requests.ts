// What a guard leaves on the request for the route handler, as Passport-style guards do with `user`.
import type { IncomingMessage } from "node:http";
import type { JWTPayload } from "jose";
import type { SessionUser } from "../common/session-store.js";

export interface SessionRequest extends IncomingMessage {
  user: SessionUser;
}

export interface JwtRequest extends SessionRequest {
  claims: JWTPayload;
}

export const bearerToken = (request: IncomingMessage): string => {
  const header = request.headers.authorization ?? "";
  return header.startsWith("Bearer ") ? header.slice(7) : "";
};

/** The session token from the bearer header, else from the `tessera_session` cookie a browser sends. */
export const sessionToken = (request: IncomingMessage): string =>
  bearerToken(request) || (/(?:^|;\s*)tessera_session=([^;]*)/.exec(request.headers.cookie ?? "")?.[1] ?? "");
