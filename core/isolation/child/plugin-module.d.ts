// The plugin the child runs: the core's import map points this specifier at the plugin's entry module.
declare module "tessera-isolated:plugin" {
  const plugin: unknown;
  export default plugin;
}
