// What an operator must hear at start about isolation: a third-party plugin trusted with the server's own
// rights, and commands an isolated plugin declares but cannot run.
import type { Logger } from "../log/logger";
import { isBuiltIn } from "../plugins/built-in-plugins";
import type { LoadedPlugin } from "../plugins/load-plugins";

export const warnAboutIsolation = (plugins: readonly LoadedPlugin[], log: Logger): void => {
  for (const plugin of plugins) {
    if (plugin.isolation === "none" && !isBuiltIn(plugin.specifier)) {
      log.warn(
        `plugin "${plugin.specifier}" runs with "isolation": "none": it can reach the server's files, environment, network, processes and database, beyond its grants`,
        { plugin: plugin.name },
      );
    }
    const commands = plugin.isolated?.commands ?? [];
    if (commands.length > 0) {
      log.warn(`plugin "${plugin.specifier}" is isolated: its commands are not run (set "isolation": "none" to use them)`, {
        plugin: plugin.name,
        commands,
      });
    }
  }
};
