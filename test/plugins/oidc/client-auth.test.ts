import { describe, expect, test } from "bun:test";
import { authenticateClient, chooseClientAuth } from "../../../plugins/oidc/client-auth";

const credentials = { clientId: "my client", clientSecret: "s3cr:t+/" };

describe("client authentication", () => {
  test("prefers client_secret_basic, RFC 8414's default when nothing is advertised", () => {
    expect(chooseClientAuth(undefined, credentials)).toBe("client_secret_basic");
    expect(chooseClientAuth(["client_secret_post", "client_secret_basic"], credentials)).toBe("client_secret_basic");
  });

  test("uses client_secret_post for a provider that only takes that", () => {
    expect(chooseClientAuth(["client_secret_post", "private_key_jwt"], credentials)).toBe("client_secret_post");
  });

  test("follows the configured method, and is none for a public client", () => {
    expect(chooseClientAuth(["client_secret_basic"], credentials, "client_secret_post")).toBe("client_secret_post");
    expect(chooseClientAuth(["client_secret_basic"], { clientId: "public" })).toBe("none");
  });

  test("finds nothing usable when the provider takes neither secret method", () => {
    expect(chooseClientAuth(["private_key_jwt"], credentials)).toBeNull();
  });

  test("form-encodes the id and secret before joining them for Basic (RFC 6749 §2.3.1)", () => {
    const headers = new Headers();
    const body = new URLSearchParams();
    authenticateClient("client_secret_basic", credentials, body, headers);
    expect(atob((headers.get("authorization") ?? "").slice(6))).toBe("my+client:s3cr%3At%2B%2F");
    expect(body.has("client_secret")).toBe(false);
  });

  test("puts the id and secret in the form for client_secret_post, the id alone for none", () => {
    const post = new URLSearchParams();
    authenticateClient("client_secret_post", credentials, post, new Headers());
    expect(Object.fromEntries(post)).toEqual({ client_id: "my client", client_secret: "s3cr:t+/" });
    const none = new URLSearchParams();
    authenticateClient("none", { clientId: "public" }, none, new Headers());
    expect(Object.fromEntries(none)).toEqual({ client_id: "public" });
  });
});
