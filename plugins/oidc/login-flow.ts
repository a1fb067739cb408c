// A sign-in in progress lives in the browser, sealed: provider, PKCE verifier, state, nonce and returnTo are
// encrypted and authenticated (JWE, dir + A256GCM) into a cookie named after the state, so two
// sign-ins in two tabs don't overwrite each other, and nothing is stored server-side until the callback.
import { hkdfSync } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import { oidcError } from "./errors";

export interface LoginFlow {
  /** The provider's id: the callback is routed by the state to the provider the sign-in started at. */
  provider: string;
  state: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
}

export const FLOW_TTL_SECONDS = 600;
export const FLOW_COOKIE_PREFIX = "tessera_oidc_";

/** arctic's states are base64url; anything else in a callback is not one of ours. */
export const isStateShaped = (value: string) => /^[\w-]{16,128}$/.test(value);

export const flowCookieName = (state: string) => `${FLOW_COOKIE_PREFIX}${state}`;

/** The 256-bit sealing key, derived from the configured secret or the generated one. */
export const flowKey = (secret: string): Uint8Array =>
  new Uint8Array(hkdfSync("sha256", secret, "tessera", "oidc login flow cookie", 32));

export const sealFlow = (flow: LoginFlow, key: Uint8Array): Promise<string> =>
  new EncryptJWT({ p: flow.provider, st: flow.state, cv: flow.codeVerifier, n: flow.nonce, r: flow.returnTo })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(`${FLOW_TTL_SECONDS}s`)
    .encrypt(key);

const notOurs = (cause?: unknown) =>
  oidcError(
    "ERR_OIDC_STATE",
    400,
    "This sign-in can't be completed in this browser (its cookie is invalid or expired); sign in again",
    {
      cause,
    },
  );

/** The flow sealed for `state`; throws ERR_OIDC_STATE when the cookie is tampered, expired or another state's. */
export const openFlow = async (sealed: string, key: Uint8Array, state: string): Promise<LoginFlow> => {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtDecrypt(sealed, key, { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] }));
  } catch (cause) {
    throw notOurs(cause);
  }
  const { p, st, cv, n, r } = payload;
  if (typeof p !== "string" || typeof st !== "string" || typeof cv !== "string" || typeof n !== "string" || typeof r !== "string")
    throw notOurs();
  if (st !== state) throw notOurs();
  return { provider: p, state: st, codeVerifier: cv, nonce: n, returnTo: r };
};
