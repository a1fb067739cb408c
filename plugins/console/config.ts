// The console plugin's section of tessera.jsonc.
import { t } from "elysia";

export const ConsoleConfigSchema = t.Object({
  websocketPath: t.String({
    pattern: "^/[A-Za-z0-9._~/-]*$",
    default: "/ws",
    description: "Where the page opens its WebSocket: the websocket plugin's `path`.",
  }),
});
