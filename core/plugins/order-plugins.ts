// Start order from `requires`: dependencies first, otherwise config order, so runs are deterministic.
import { TesseraError } from "../errors/tessera-error";

export interface Orderable {
  name: string;
  requires?: string[];
}

export const orderPlugins = <P extends Orderable>(plugins: readonly P[]): P[] => {
  const byName = new Map(plugins.map((plugin) => [plugin.name, plugin]));
  const ordered: P[] = [];
  const state = new Map<string, "visiting" | "done">();

  const visit = (plugin: P, trail: string[]) => {
    const seen = state.get(plugin.name);
    if (seen === "done") return;
    if (seen === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(plugin.name)), plugin.name];
      throw new TesseraError("ERR_PLUGIN_CYCLE", `Plugins depend on each other in a cycle: ${cycle.join(" → ")}`, {
        path: `plugins.${plugin.name}`,
      });
    }
    state.set(plugin.name, "visiting");
    for (const dependency of plugin.requires ?? []) {
      const required = byName.get(dependency);
      if (!required) {
        throw new TesseraError(
          "ERR_PLUGIN_DEPENDENCY",
          `Plugin "${plugin.name}" requires plugin "${dependency}", which is not enabled; enable it with plugins.${dependency}.enabled: true`,
          { path: `plugins.${plugin.name}` },
        );
      }
      visit(required, [...trail, plugin.name]);
    }
    state.set(plugin.name, "done");
    ordered.push(plugin);
  };

  for (const plugin of plugins) visit(plugin, []);
  return ordered;
};
