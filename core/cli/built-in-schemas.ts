// The config schemas of the built-in plugins, for `tessera schema` (imports every built-in on purpose).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BUILT_IN_PLUGINS, resolvePlugin } from "../plugins/resolve-plugin";

const pluginsDir = join(import.meta.dir, "..", "..", "plugins");

export const builtInSchemas = async () => {
  const present = BUILT_IN_PLUGINS.filter((name) => existsSync(join(pluginsDir, name, "index.ts")));
  const definitions = await Promise.all(present.map((name) => resolvePlugin(name, pluginsDir)));
  return definitions.map((definition) => ({ name: definition.name, config: definition.config }));
};
