// The page for visitors who are not signed in: a Sign in button to the identity provider when the
// oidc plugin is on (one per provider when it has several, so people choose theirs), and a form that takes a session token from `tessera sessions create` (the only
// way in on the embedded default, which has no provider), with how to configure sign-in.
import { h, notice } from "./dom";
import type { SignIn, SignInProvider } from "./sign-in-probe";

const OIDC_EXAMPLE = `"plugins": {
  "oidc": { "enabled": true, "issuer": "https://auth.example.com/application/o/tessera/",
            "clientId": "tessera", "clientSecret": "\${OIDC_CLIENT_SECRET}" }
}`;

const tokenForm = (open: boolean): HTMLElement =>
  h(
    "details",
    { open },
    h("summary", {}, "Sign in with a session token"),
    h(
      "p",
      {},
      "An administrator creates one on the server with ",
      h("code", {}, "bun core/main.ts sessions create --email you@example.com"),
      ".",
    ),
    h(
      "form",
      { method: "post", action: "/console/session", class: "inline" },
      h("label", {}, "Session token", h("input", { type: "password", name: "token", required: true, autocomplete: "off" })),
      h("button", { type: "submit" }, "Use token"),
    ),
  );

const RETURN_HOME = "returnTo=%2F";

const providerButtons = (providers: SignInProvider[]): HTMLElement => {
  if (providers.length < 2) return h("p", {}, h("a", { class: "button", href: `/auth/login?${RETURN_HOME}` }, "Sign in"));
  return h(
    "ul",
    { class: "providers", "aria-label": "Sign in with" },
    ...providers.map((provider) =>
      h("li", {}, h("a", { class: "button", href: `${provider.loginUrl}?${RETURN_HOME}` }, `Sign in with ${provider.name}`)),
    ),
  );
};

export const signedOutPage = (signIn: SignIn, query: URLSearchParams): HTMLElement => {
  const parts: (HTMLElement | null)[] = [h("h1", {}, "Sign in to Tessera")];
  if (query.get("signin") === "unknown-token") parts.push(notice("That session token is unknown, expired or revoked.", "error"));
  if (signIn.sso === "off") {
    parts.push(
      h(
        "p",
        {},
        "Single sign-on is not configured on this instance. To sign in with your identity provider, enable the oidc plugin in tessera.jsonc:",
      ),
      h("pre", { class: "example" }, OIDC_EXAMPLE),
      h("p", {}, "Register ", h("code", {}, `${location.origin}/auth/callback`), " as the redirect URI at the provider."),
    );
  } else {
    parts.push(providerButtons(signIn.providers));
    if (signIn.sso === "unavailable")
      parts.push(
        notice(
          `The identity provider is not answering right now${signIn.detail ? ` (${signIn.detail})` : ""}. Try again shortly.`,
          "error",
        ),
      );
  }
  parts.push(tokenForm(signIn.sso === "off"));
  return h("div", { class: "sign-in" }, ...parts);
};
