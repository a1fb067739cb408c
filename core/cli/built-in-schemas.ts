// The config schemas of the built-in plugins, for `tessera schema` (imports every built-in on purpose).
import { BUILT_IN_PLUGINS } from "../plugins/built-in-plugins";
import { resolvePlugin } from "../plugins/resolve-plugin";

export const builtInSchemas = async () => {
  const definitions = await Promise.all(BUILT_IN_PLUGINS.map((name) => resolvePlugin(name, ".")));
  return definitions.map((definition) => ({ name: definition.name, config: definition.config }));
};
