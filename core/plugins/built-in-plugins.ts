// The built-in plugins by name. Each is imported only when asked for, so a disabled plugin's code never
// runs; the import paths are literal so `bun build --compile` can put every built-in in the binary.
type Importer = () => Promise<{ default?: unknown }>;

const importers = {
  oidc: () => import("../../plugins/oidc/index"),
  "api-key": () => import("../../plugins/api-key/index"),
  websocket: () => import("../../plugins/websocket/index"),
  coordinator: () => import("../../plugins/coordinator/index"),
  federation: () => import("../../plugins/federation/index"),
  console: () => import("../../plugins/console/index"),
} satisfies Record<string, Importer>;

export type BuiltInName = keyof typeof importers;

export const BUILT_IN_PLUGINS = Object.keys(importers) as BuiltInName[];

export const isBuiltIn = (specifier: string): specifier is BuiltInName => Object.hasOwn(importers, specifier);

export const importBuiltIn = (name: BuiltInName): Promise<{ default?: unknown }> => importers[name]();

// The built-ins' route types, for the typed client (core/http/app-type.ts); types only, nothing is loaded.
export type { coordinatorRoutes } from "../../plugins/coordinator/coordinator-routes";
export type { workspaceJobRoutes } from "../../plugins/coordinator/workspace-job-routes";
