// How this client proves itself at the token and introspection endpoints: HTTP Basic or form fields,
// whichever the provider advertises (basic first, as RFC 8414 makes it the default), or none for a public client.
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
}

/** The method to use, or null when the provider advertises neither secret method. */
export const chooseClientAuth = (
  advertised: readonly string[] | undefined,
  credentials: ClientCredentials,
  configured?: "client_secret_basic" | "client_secret_post",
): ClientAuthMethod | null => {
  if (credentials.clientSecret === undefined) return "none";
  if (configured) return configured;
  const supported = advertised ?? ["client_secret_basic"];
  if (supported.includes("client_secret_basic")) return "client_secret_basic";
  if (supported.includes("client_secret_post")) return "client_secret_post";
  return null;
};

// RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined for Basic.
const formEncode = (value: string) => new URLSearchParams([["v", value]]).toString().slice(2);

/** Adds the client's credentials to a token-endpoint style request. */
export const authenticateClient = (
  method: ClientAuthMethod,
  credentials: ClientCredentials,
  body: URLSearchParams,
  headers: Headers,
) => {
  const { clientId, clientSecret } = credentials;
  if (method === "client_secret_basic" && clientSecret !== undefined) {
    headers.set("authorization", `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`);
    return;
  }
  body.set("client_id", clientId);
  if (method === "client_secret_post" && clientSecret !== undefined) body.set("client_secret", clientSecret);
};
