// The plugins a config enables, imported (only those), their config validated, in dependency order,
// nothing set up: what the runtime sets up, and what the CLI lists commands and migrations from.
import { dirname } from "node:path";
import { type LoadedConfig, validatePluginConfig } from "../config/load-config";
import { definePlugins, type LoadedPlugin } from "../plugins/load-plugins";

/** Directory relative paths in config resolve against: the config file's, or the cwd. */
export const configBaseDir = (loaded: LoadedConfig, cwd: string): string => (loaded.file ? dirname(loaded.file) : cwd);

export const configuredPlugins = (loaded: LoadedConfig, cwd: string): Promise<LoadedPlugin[]> =>
  definePlugins({
    sections: loaded.config.plugins,
    baseDir: configBaseDir(loaded, cwd),
    validate: (definition, specifier, section) =>
      validatePluginConfig({ name: specifier, config: definition.config }, loaded, section),
  });

/** Specifiers present in config but not enabled. */
export const disabledPlugins = (loaded: LoadedConfig): string[] =>
  Object.entries(loaded.config.plugins)
    .filter(([, section]) => !section.enabled)
    .map(([specifier]) => specifier);
