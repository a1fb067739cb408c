// Profile claims from the userinfo endpoint, for providers that keep them out of the ID token
// (oidc-provider does by default; Authentik can be set to). Only ever adds email, name and groups: the
// identity itself comes from the validated ID token, and a userinfo `sub` that differs is refused.
import type { Logger, ScopedFetch } from "tessera/plugin";
import { oidcError } from "./errors";
import { groupsIn } from "./groups";
import { profileClaims } from "./id-token";
import { type JsonRead, readJsonObject } from "./read-json";

export interface Profile {
  email?: string;
  emailVerified: boolean;
  name?: string;
  groups?: string[];
}

/**
 * The profile from userinfo, or null when it couldn't be fetched (a warning is logged; sign-in
 * goes on with the ID token's claims). Throws only when the answer is about another subject.
 */
export const fetchUserinfo = async (
  fetch: ScopedFetch,
  log: Logger,
  endpoint: string,
  accessToken: string,
  subject: string,
  groupsClaim: string,
): Promise<Profile | null> => {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      timeoutMs: 5000,
    });
  } catch (error) {
    log.warn("userinfo request failed; signing in with the ID token's claims", { error });
    return null;
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    log.warn("userinfo refused; signing in with the ID token's claims", { status: response.status });
    return null;
  }
  let read: JsonRead;
  try {
    read = await readJsonObject(response);
  } catch (error) {
    log.warn("userinfo answer did not arrive; signing in with the ID token's claims", { error });
    return null;
  }
  if (!read.ok) {
    log.warn("userinfo answer unusable; signing in with the ID token's claims", { reason: read.reason });
    return null;
  }
  if (read.value.sub !== subject) {
    throw oidcError("ERR_OIDC_PROVIDER_RESPONSE", 502, "The userinfo endpoint answered for another subject than the ID token's");
  }
  return { ...profileClaims(read.value), groups: groupsIn(read.value, groupsClaim) };
};
