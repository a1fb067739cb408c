// The plugin's error codes, in one place so callers and tests branch on the same strings.
import { type ErrorOptions, TesseraError } from "tessera/plugin";

export type OidcErrorCode =
  /** Start-up: the discovery document names another issuer than the config. */
  | "ERR_OIDC_ISSUER_MISMATCH"
  /** Start-up: the discovery document is missing, malformed or unusable. */
  | "ERR_OIDC_DISCOVERY"
  /** The provider has not been reached yet (or its keys can't be fetched). */
  | "ERR_OIDC_UNAVAILABLE"
  /** The provider answered the authorization request with an error (the user cancelled, say). */
  | "ERR_OIDC_PROVIDER_ERROR"
  /** No sign-in in progress in this browser for this state: expired, another browser's, or forged. */
  | "ERR_OIDC_STATE"
  /** A callback for a sign-in that already completed. */
  | "ERR_OIDC_REPLAY"
  /** RFC 9207: the `iss` of the authorization response is not our provider. */
  | "ERR_OIDC_ISSUER"
  /** The token endpoint refused the code (expired, used, or PKCE mismatch). */
  | "ERR_OIDC_CODE_REJECTED"
  /** The token endpoint refused this client's credentials (502: a gateway error, its code shown to the client). */
  | "ERR_OIDC_CLIENT_REJECTED"
  /** The token, userinfo or introspection endpoint answered something unusable (502, never ERR_INTERNAL). */
  | "ERR_OIDC_PROVIDER_RESPONSE"
  | "ERR_OIDC_ID_TOKEN"
  | "ERR_OIDC_LOGOUT_TOKEN"
  /** A front-channel logout request without iss and sid, or from an issuer that is not configured. */
  | "ERR_OIDC_LOGOUT_REQUEST"
  | "ERR_OIDC_ACCESS_TOKEN"
  /** An access token that is not a JWT while introspection is off. */
  | "ERR_OIDC_OPAQUE_TOKEN"
  /** A valid access token whose subject never signed in here. */
  | "ERR_OIDC_UNKNOWN_SUBJECT";

export const oidcError = (code: OidcErrorCode, status: number, message: string, options: Omit<ErrorOptions, "status"> = {}) =>
  new TesseraError(code, message, { ...options, status });
