// The plugin module's default export, checked as resolve-plugin.ts checks it in process, and where it
// sits: its folder is the plugin's own (ctx.instance.baseDir, and the one folder it may read).
import { fileURLToPath } from "node:url";
import { TesseraError } from "../../errors/tessera-error";
import type { PluginDefinition } from "../../plugins/define-plugin";
import { isDefinition } from "../../plugins/is-definition";

/** The entry module's path, as the import map resolves the specifier main.ts imports it by. */
export const pluginEntry = (): string => fileURLToPath(import.meta.resolve("tessera-isolated:plugin"));

export const pluginDefinition = (exported: unknown, entry: string): PluginDefinition => {
  if (isDefinition(exported)) return exported;
  throw new TesseraError(
    "ERR_PLUGIN_INVALID",
    `Plugin module ${entry} must default-export definePlugin({ name, version, config, setup })`,
  );
};
