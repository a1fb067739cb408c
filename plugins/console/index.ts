// The console plugin: the web page at GET / (sign in, workspaces, live jobs and agents, federation
// peers for admins), served from memory with a strict CSP. The JSON API it calls with the session
// cookie is kept safe by the core's CSRF check (core/http/csrf.ts), which holds with the console off too.
import { Elysia } from "elysia";
import { definePlugin, sameOriginCheck } from "tessera/plugin";
import { lazyAssets } from "./assets";
import { ConsoleConfigSchema } from "./config";
import { pageHeaders } from "./page-headers";
import { pageRoutes } from "./page-routes";
import { sessionRoutes } from "./session-routes";

export default definePlugin({
  name: "console",
  version: "0.1.0",
  config: ConsoleConfigSchema,
  permissions: () => ({ routes: ["/", "/console"] }),
  setup(ctx) {
    const { allowedOrigins, publicUrl } = ctx.instance;
    const routes = new Elysia({ name: "console" })
      .use(pageRoutes(lazyAssets({ websocketPath: ctx.config.websocketPath, publicUrl, allowedOrigins }), pageHeaders(publicUrl)))
      .use(
        sessionRoutes({
          db: ctx.db,
          secure: publicUrl.startsWith("https:"),
          requireSameOrigin: sameOriginCheck(allowedOrigins),
        }),
      );
    return { routes };
  },
});
