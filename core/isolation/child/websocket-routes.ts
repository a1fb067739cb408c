// Elysia under Deno has no WebSocket adapter: `.ws()` drops the route with a console warning, so a plugin's
// WebSocket routes would vanish unseen. Every app built here shares Elysia's web-standard adapter object,
// so giving it a `ws` that records the path lets setup report those routes, and the core refuses them.
import { WebStandardAdapter } from "elysia/adapter/web-standard";

const declared: string[] = [];

WebStandardAdapter.ws = (_app, path) => {
  declared.push(path);
};

/** The WebSocket routes the plugin declared, as routes of method "WS". */
export const webSocketRoutes = (): { method: string; path: string }[] => declared.map((path) => ({ method: "WS", path }));
