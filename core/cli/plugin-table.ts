// The table `serve` and `check` print: what is loaded, in what state, with which grants and routes.
import type { LoadedPlugin } from "../plugins/load-plugins";
import { padColumns } from "./output";

const list = (values: readonly string[]) => (values.length ? values.join(", ") : "-");

export const pluginTable = (plugins: readonly LoadedPlugin[], disabled: readonly string[]): string => {
  const rows = [["PLUGIN", "VERSION", "STATE", "ISOLATION", "NET", "ENV", "ROUTES"]];
  for (const plugin of plugins) {
    const routes = [...new Set(plugin.routes.map((route) => `${route.method} ${route.path}`))];
    rows.push([
      plugin.specifier,
      plugin.version,
      plugin.state,
      plugin.isolation,
      list(plugin.grants.net),
      list(plugin.grants.env),
      routes.length > 4 ? `${routes.slice(0, 4).join(", ")} (+${routes.length - 4})` : list(routes),
    ]);
  }
  for (const name of disabled) rows.push([name, "-", "disabled", "-", "-", "-", "-"]);
  return padColumns(rows);
};

// Quoted for a POSIX shell, so the printed line can be pasted and run as it is.
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);

/** Each isolated plugin's exact command line: the runtime and the permission flags it gets. */
export const isolationLines = (plugins: readonly LoadedPlugin[]): string =>
  plugins
    .flatMap((plugin) =>
      plugin.isolated ? [`${plugin.specifier} runs isolated as:\n  ${plugin.isolated.command.map(shellWord).join(" ")}`] : [],
    )
    .join("\n");
