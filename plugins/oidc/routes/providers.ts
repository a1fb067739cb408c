// GET /auth/providers: the configured providers as a sign-in page shows them (id, name, where to
// start, whether it answers), so the console can offer a choice and say when one is down. Public: it
// names nothing a login button would not, and readiness without the reason (that is /readyz's, behind
// the metrics token).
import { Elysia, t } from "elysia";
import { responses } from "tessera/plugin";
import type { RelyingParty } from "../relying-party";

export const providersRoute = (rp: RelyingParty) =>
  new Elysia({ name: "oidc-providers" }).get(
    "/auth/providers",
    ({ set }) => {
      set.headers["cache-control"] = "no-store";
      return {
        providers: rp.providers.map(({ settings, connection }) => ({
          id: settings.id,
          name: settings.name,
          loginUrl: `/auth/login/${settings.id}`,
          ready: connection.health().ok,
        })),
      };
    },
    {
      detail: {
        summary: "The OpenID providers one can sign in with",
        tags: ["auth"],
        security: [],
        responses: responses({
          200: t.Object({
            providers: t.Array(t.Object({ id: t.String(), name: t.String(), loginUrl: t.String(), ready: t.Boolean() })),
          }),
        }),
      },
    },
  );
