// OpenID Connect Discovery: fetches <issuer>/.well-known/openid-configuration and checks it is usable
// by a strict relying party. ERR_OIDC_UNAVAILABLE means "try again later"; any other code is a
// configuration problem that retrying won't fix.
import { isTesseraError, type ScopedFetch } from "tessera/plugin";
import { type ClientAuthMethod, type ClientCredentials, chooseClientAuth } from "./client-auth";
import { oidcError } from "./errors";
import { type JsonObject, readJsonObject, stringField, stringListField } from "./read-json";

export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint?: string;
  endSessionEndpoint?: string;
  introspectionEndpoint?: string;
  /** RFC 9207: the provider adds `iss` to every authorization response, so one without it is refused. */
  issParameterSupported: boolean;
  clientAuth: ClientAuthMethod;
}

export interface DiscoveryOptions {
  issuer: string;
  credentials: ClientCredentials;
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post";
  introspection: boolean;
}

export const discoveryUrl = (issuer: string) => `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;

const ISSUER_PATH = "plugins.oidc.issuer";

const configProblem = (message: string, cause?: unknown) =>
  oidcError("ERR_OIDC_DISCOVERY", 500, message, { path: ISSUER_PATH, cause });

const unreachable = (url: string, reason: string, cause?: unknown) =>
  oidcError("ERR_OIDC_UNAVAILABLE", 503, `The OpenID provider did not answer at ${url}: ${reason}`, { cause });

const issuerMismatch = (advertised: string, configured: string) => {
  const slash =
    advertised.replace(/\/+$/, "") === configured.replace(/\/+$/, "")
      ? " They differ only in the trailing slash (Authentik's issuers end in one)."
      : "";
  return oidcError(
    "ERR_OIDC_ISSUER_MISMATCH",
    500,
    `The provider's discovery document names its issuer "${advertised}", but ${ISSUER_PATH} is "${configured}".${slash} ` +
      `ID tokens carry the provider's value and are checked against it exactly: set ${ISSUER_PATH} to "${advertised}".`,
    { path: ISSUER_PATH },
  );
};

const fetchDocument = async (fetch: ScopedFetch, url: string): Promise<JsonObject> => {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, timeoutMs: 5000 });
  } catch (cause) {
    // A redirect to a host outside the grant is a configuration matter; anything else may pass.
    if (isTesseraError(cause) && cause.code.startsWith("ERR_PERMISSION")) throw configProblem(cause.message, cause);
    throw unreachable(url, cause instanceof Error ? cause.message : String(cause), cause);
  }
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel();
    throw unreachable(url, `HTTP ${response.status}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw configProblem(
      `There is no discovery document at ${url} (HTTP ${response.status}); check ${ISSUER_PATH} against the provider's "OpenID Configuration Issuer"`,
    );
  }
  const read = await readJsonObject(response).catch((cause: unknown) => {
    throw unreachable(url, "the answer stopped arriving", cause);
  });
  if (!read.ok) throw configProblem(`The discovery document at ${url} is unusable: ${read.reason}`);
  return read.value;
};

const checkedUrl = (key: string, value: string, secure: boolean): string => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== "https:" && (secure || url.protocol !== "http:"))) {
    throw configProblem(`The provider's ${key} is not an ${secure ? "https" : "http(s)"} URL: "${value}"`);
  }
  return value;
};

const requiredEndpoint = (document: JsonObject, key: string, secure: boolean): string => {
  const value = stringField(document, key);
  if (value === undefined) throw configProblem(`The provider's discovery document has no ${key}`);
  return checkedUrl(key, value, secure);
};

const optionalEndpoint = (document: JsonObject, key: string, secure: boolean): string | undefined => {
  const value = stringField(document, key);
  return value === undefined ? undefined : checkedUrl(key, value, secure);
};

const requireSupport = (document: JsonObject, key: string, needed: string, what: string) => {
  const offered = stringListField(document, key);
  if (offered && !offered.includes(needed)) {
    throw configProblem(`The provider does not support ${what} (its ${key} is ${JSON.stringify(offered)})`);
  }
};

export const discover = async (fetch: ScopedFetch, options: DiscoveryOptions): Promise<ProviderMetadata> => {
  const url = discoveryUrl(options.issuer);
  const document = await fetchDocument(fetch, url);
  const advertised = stringField(document, "issuer");
  if (advertised === undefined) throw configProblem(`The discovery document at ${url} has no issuer`);
  if (advertised !== options.issuer) throw issuerMismatch(advertised, options.issuer);

  requireSupport(document, "response_types_supported", "code", "the authorization code flow");
  requireSupport(document, "code_challenge_methods_supported", "S256", "PKCE with S256");
  const advertisedAuth = stringListField(document, "token_endpoint_auth_methods_supported");
  const clientAuth = chooseClientAuth(advertisedAuth, options.credentials, options.tokenEndpointAuthMethod);
  if (clientAuth === null) {
    throw configProblem(
      `The provider accepts neither client_secret_basic nor client_secret_post at its token endpoint (it offers ${JSON.stringify(advertisedAuth)})`,
    );
  }
  const secure = options.issuer.startsWith("https:");
  return {
    issuer: advertised,
    authorizationEndpoint: requiredEndpoint(document, "authorization_endpoint", secure),
    tokenEndpoint: requiredEndpoint(document, "token_endpoint", secure),
    jwksUri: requiredEndpoint(document, "jwks_uri", secure),
    userinfoEndpoint: optionalEndpoint(document, "userinfo_endpoint", secure),
    endSessionEndpoint: optionalEndpoint(document, "end_session_endpoint", secure),
    // plugins.oidc.introspection: true is of no use without one.
    introspectionEndpoint: (options.introspection ? requiredEndpoint : optionalEndpoint)(
      document,
      "introspection_endpoint",
      secure,
    ),
    issParameterSupported: document.authorization_response_iss_parameter_supported === true,
    clientAuth,
  };
};
