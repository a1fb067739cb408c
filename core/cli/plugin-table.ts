// The table `serve` and `check` print: what is loaded, in what state, with which grants and routes.
import type { LoadedPlugin } from "../plugins/load-plugins";
import { padColumns } from "./output";

const list = (values: readonly string[]) => (values.length ? values.join(", ") : "-");

export const pluginTable = (plugins: readonly LoadedPlugin[], disabled: readonly string[]): string => {
  const rows = [["PLUGIN", "VERSION", "STATE", "NET", "ENV", "ROUTES"]];
  for (const plugin of plugins) {
    const routes = [...new Set(plugin.routes.map((route) => `${route.method} ${route.path}`))];
    rows.push([
      plugin.specifier,
      plugin.version,
      plugin.state,
      list(plugin.grants.net),
      list(plugin.grants.env),
      routes.length > 4 ? `${routes.slice(0, 4).join(", ")} (+${routes.length - 4})` : list(routes),
    ]);
  }
  for (const name of disabled) rows.push([name, "-", "disabled", "-", "-", "-"]);
  return padColumns(rows);
};
