// A third-party plugin for the guard tests: it mounts routes before the api-key plugin and reads the
// request's principal through ctx.auth, as any plugin relying on API keys would.
import { Elysia, t } from "elysia";
import { definePlugin } from "tessera/plugin";

export default definePlugin({
  name: "echo",
  version: "1.0.0",
  config: t.Object({}),
  setup: (ctx) => ({
    routes: new Elysia()
      .get("/echo/whoami", async ({ request }) => ({ principal: await ctx.auth.principal(request) }))
      .post("/echo/body", ({ body }) => body, { body: t.Object({ n: t.Number() }) })
      .get("/open/whoami", async ({ request }) => ({ principal: await ctx.auth.principal(request) }))
      .get("/open/ping", () => "pong")
      // A careless plugin: it logs request headers, and fails with the key in its message.
      .get("/open/careless", ({ request }) => {
        ctx.log.info("request seen", { headers: request.headers, url: request.url });
        throw new Error(`could not use ${request.headers.get("x-api-key")}`);
      }),
  }),
});
