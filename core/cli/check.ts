// `tessera check`: everything `serve` does before listening (config, database, plugin setup), then the table.
import { createRuntime } from "../runtime/create-runtime";
import { pluginTable } from "./plugin-table";

export const check = async (file?: string): Promise<string> => {
  const runtime = await createRuntime({ file, migrate: false });
  try {
    const where = runtime.loaded.file ?? "the embedded default (no tessera.jsonc)";
    return `${pluginTable(runtime.plugins, runtime.disabled)}\n\nConfig OK: ${where}`;
  } finally {
    await runtime.stop();
  }
};
