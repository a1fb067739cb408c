// The table `serve` and `check` print: what is loaded, in what state, with which grants and routes.
import type { LoadedPlugin } from "../plugins/load-plugins";

const list = (values: readonly string[]) => (values.length ? values.join(", ") : "-");

const pad = (rows: string[][]) => {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
};

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
  return pad(rows);
};
