// A plugin's name as it appears in the names of what the core makes for it (a file, a role, a schema).
export const pluginIdentifier = (plugin: string): string => plugin.toLowerCase().replace(/[^a-z0-9]/g, "_");
