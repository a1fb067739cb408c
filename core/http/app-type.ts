// The HTTP API's type for a typed client (Elysia's Eden treaty), `tessera/app`: the core's routes and the
// coordinator's, the ones scripts and services call. The running app is assembled from config, so its own
// type is open; the other plugins' routes serve browsers, peers and sockets (docs/websocket.md).
import type { Elysia } from "elysia";
import type { coordinatorRoutes, workspaceJobRoutes } from "../plugins/built-in-plugins";
import type { healthRoutes } from "./routes/health-routes";
import type { workspaceRoutes } from "./routes/workspace-routes";

type Health = ReturnType<typeof healthRoutes>;
type RoutesOf<Plugin> = Plugin extends { "~Routes": infer Routes } ? Routes : never;

/** The route trees merge: /workspaces/:id is the core's, /workspaces/:id/jobs the coordinator's. */
type Routes = RoutesOf<Health> &
  RoutesOf<ReturnType<typeof workspaceRoutes>> &
  RoutesOf<ReturnType<typeof coordinatorRoutes>> &
  RoutesOf<ReturnType<typeof workspaceJobRoutes>>;

export type App = Elysia<"", Health["~Singleton"], Health["~Definitions"], Health["~Metadata"], Routes>;
