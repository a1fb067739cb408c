// GET /auth/providers: the configured providers as a sign-in page shows them (id, name, where to
// start), so the console can offer a choice. Public: it names nothing a login button would not.
import { Elysia } from "elysia";
import type { RelyingParty } from "../relying-party";

export const providersRoute = (rp: RelyingParty) =>
  new Elysia({ name: "oidc-providers" }).get(
    "/auth/providers",
    ({ set }) => {
      set.headers["cache-control"] = "no-store";
      return {
        providers: rp.providers.map(({ settings }) => ({
          id: settings.id,
          name: settings.name,
          loginUrl: `/auth/login/${settings.id}`,
        })),
      };
    },
    { detail: { summary: "The OpenID providers one can sign in with", tags: ["auth"] } },
  );
