// A plugin outside the repository has no `tessera` package beside it (and the binary no node_modules at
// all), so `elysia` and the public plugin API (`tessera/plugin`, its subpaths, `tessera/errors`) are
// provided to it by the running core: the very modules built-ins import, so classes and state are shared.
// Anything else a plugin imports comes from its own node_modules, or, under the binary, its own bundle.
import type { BunPlugin } from "bun";
import * as elysia from "elysia";
import * as errors from "../errors/tessera-error";
import * as db from "../plugin-api/db";
import * as identity from "../plugin-api/identity";
import * as plugin from "../plugin-api/index";

export const HOST_MODULES: Record<string, Record<string, unknown>> = {
  elysia,
  "tessera/plugin": plugin,
  "tessera/plugin/db": db,
  "tessera/plugin/identity": identity,
  "tessera/errors": errors,
};

const hostModules: BunPlugin = {
  name: "tessera-host-modules",
  setup(build) {
    for (const [specifier, exports] of Object.entries(HOST_MODULES)) {
      build.module(specifier, () => ({ exports, loader: "object" }));
    }
  },
};

let provided = false;

/** Registers the modules once per process, before the first plugin from outside is imported. */
export const provideHostModules = (): void => {
  if (provided) return;
  provided = true;
  Bun.plugin(hostModules);
};
