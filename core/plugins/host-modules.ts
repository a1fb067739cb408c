// No node_modules sits beside the compiled binary, so a plugin loaded by path gets `elysia`,
// `tessera/plugin` and `tessera/errors` from the binary itself: the same copies the core uses. Anything
// else a plugin imports it must bundle into its file (docs/deploy.md, "Single binary").
import type { BunPlugin } from "bun";
import * as elysia from "elysia";
import * as errors from "../errors/tessera-error";
import * as plugin from "./define-plugin";

export const HOST_MODULES: Record<string, Record<string, unknown>> = {
  elysia,
  "tessera/plugin": plugin,
  "tessera/errors": errors,
};

export const hostModules: BunPlugin = {
  name: "tessera-host-modules",
  setup(build) {
    for (const [specifier, exports] of Object.entries(HOST_MODULES)) {
      build.module(specifier, () => ({ exports, loader: "object" }));
    }
  },
};
