// The console plugin: the web page at GET / (sign in, workspaces, live jobs and agents, federation
// peers for admins), served from memory with a strict CSP, and the CSRF guard that makes the JSON
// API safe to call with the session cookie.
import { Elysia } from "elysia";
import { definePlugin } from "../../core/plugins/define-plugin";
import { lazyAssets } from "./assets";
import { ConsoleConfigSchema } from "./config";
import { csrfGuard } from "./csrf-guard";
import { pageHeaders } from "./page-headers";
import { pageRoutes } from "./page-routes";
import { sameOriginCheck } from "./same-origin";
import { sessionRoutes } from "./session-routes";

export default definePlugin({
  name: "console",
  version: "0.1.0",
  config: ConsoleConfigSchema,
  permissions: () => ({ routes: ["/", "/console"] }),
  setup(ctx) {
    const { allowedOrigins, publicUrl } = ctx.instance;
    return new Elysia({ name: "console" })
      .onRequest(csrfGuard(allowedOrigins))
      .use(pageRoutes(lazyAssets({ websocketPath: ctx.config.websocketPath, publicUrl, allowedOrigins }), pageHeaders(publicUrl)))
      .use(
        sessionRoutes({
          db: ctx.db,
          secure: publicUrl.startsWith("https:"),
          requireSameOrigin: sameOriginCheck(allowedOrigins),
        }),
      );
  },
});
