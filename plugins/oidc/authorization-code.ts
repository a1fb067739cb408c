// The authorization code flow with PKCE: the only module that uses arctic (its maintainer stopped work
// on it in 2026; replacing it means rewriting this file alone). arctic builds the authorization URL
// and generates state and verifier. Its token request calls the global fetch, with no way to pass
// another, so the code exchange is written here against ctx.fetch: the net grant, the per-hop
// redirect checks and the timeout then hold for it, and client_secret_post is possible too.
import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from "arctic";
import { isTesseraError, type ScopedFetch } from "tessera/plugin";
import { authenticateClient, type ClientAuthMethod, type ClientCredentials } from "./client-auth";
import { oidcError } from "./errors";
import { readJsonObject, stringField } from "./read-json";

export interface AuthorizationRequest {
  url: URL;
  state: string;
  codeVerifier: string;
  nonce: string;
}

export interface ClientRegistration extends ClientCredentials {
  redirectUri: string;
  scopes: string[];
}

export const startAuthorization = (client: ClientRegistration, authorizationEndpoint: string): AuthorizationRequest => {
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const nonce = generateState();
  // The secret never goes into the URL, so arctic gets none.
  const url = new OAuth2Client(client.clientId, null, client.redirectUri).createAuthorizationURLWithPKCE(
    authorizationEndpoint,
    state,
    CodeChallengeMethod.S256,
    codeVerifier,
    client.scopes,
  );
  url.searchParams.set("nonce", nonce);
  return { url, state, codeVerifier, nonce };
};

export interface TokenSet {
  idToken: string;
  accessToken?: string;
}

const answerLate = (cause: unknown) =>
  oidcError("ERR_OIDC_UNAVAILABLE", 503, "The provider's token answer did not arrive; try signing in again shortly", { cause });

const tokenError = async (response: Response, endpoint: string) => {
  const read = await readJsonObject(response).catch((cause: unknown) => {
    throw answerLate(cause);
  });
  const error = read.ok ? stringField(read.value, "error") : undefined;
  const description = read.ok ? stringField(read.value, "error_description") : undefined;
  if (error === "invalid_grant") {
    return oidcError(
      "ERR_OIDC_CODE_REJECTED",
      400,
      "The provider refused the authorization code (it expired, was used already, or the PKCE verifier did not match); sign in again",
    );
  }
  if (error === "invalid_client" || error === "unauthorized_client") {
    return oidcError(
      "ERR_OIDC_CLIENT_REJECTED",
      502,
      `The provider rejected this client (${error}${description ? `: ${description}` : ""}); check plugins.oidc.clientId, clientSecret and tokenEndpointAuthMethod`,
    );
  }
  const said = error ? `${error}${description ? `: ${description}` : ""}` : `HTTP ${response.status}`;
  return oidcError("ERR_OIDC_PROVIDER_RESPONSE", 502, `The token endpoint ${endpoint} refused the code exchange (${said})`);
};

export const exchangeCode = async (
  fetch: ScopedFetch,
  client: ClientRegistration & { tokenEndpoint: string; clientAuth: ClientAuthMethod },
  code: string,
  codeVerifier: string,
): Promise<TokenSet> => {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: client.redirectUri,
    code_verifier: codeVerifier,
  });
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" });
  authenticateClient(client.clientAuth, client, body, headers);
  let response: Response;
  try {
    response = await fetch(client.tokenEndpoint, { method: "POST", headers, body, timeoutMs: 10_000 });
  } catch (cause) {
    if (isTesseraError(cause) && cause.code.startsWith("ERR_PERMISSION")) throw cause;
    throw oidcError("ERR_OIDC_UNAVAILABLE", 503, "The provider's token endpoint did not answer; try signing in again shortly", {
      cause,
    });
  }
  if (response.status !== 200) throw await tokenError(response, client.tokenEndpoint);
  const read = await readJsonObject(response).catch((cause: unknown) => {
    throw answerLate(cause);
  });
  if (!read.ok) throw oidcError("ERR_OIDC_PROVIDER_RESPONSE", 502, `The token endpoint's answer is unusable: ${read.reason}`);
  const idToken = stringField(read.value, "id_token");
  if (!idToken) {
    throw oidcError(
      "ERR_OIDC_PROVIDER_RESPONSE",
      502,
      'The token endpoint returned no ID token; is "openid" among plugins.oidc.scopes?',
    );
  }
  const accessToken = stringField(read.value, "access_token");
  const bearer = stringField(read.value, "token_type")?.toLowerCase() === "bearer";
  return { idToken, accessToken: bearer ? accessToken : undefined };
};
