// The session cookie the console sets for a pasted session token, with the attributes the oidc
// plugin gives it: HttpOnly, SameSite=Lax, Secure on https, and gone when the session expires.
import { SESSION_COOKIE } from "tessera/plugin/identity";

export const sessionCookie = (token: string, maxAgeSeconds: number, secure: boolean): string =>
  `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;

export const clearSessionCookie = (secure: boolean): string => sessionCookie("", 0, secure);
