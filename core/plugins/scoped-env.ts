// ctx.env: reads only variables the plugin was granted, like Deno's --allow-env=NAME.
import { PermissionDenied } from "../errors/permission-denied";
import { envAllowed } from "./grants";

export const scopedEnv =
  (plugin: string, granted: readonly string[], env: Record<string, string | undefined>) =>
  (name: string): string | undefined => {
    if (!envAllowed(name, granted)) throw new PermissionDenied(plugin, "env", name);
    return env[name];
  };
