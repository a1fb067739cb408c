// Which workspaces a service may act in: an API key bound to workspaces reaches only those, an unbound
// key every one. Jobs elsewhere are looked up as if they did not exist, so a bound key can't probe ids.
import { forbidden } from "tessera/plugin";
import type { Service } from "./require-service";

/** The workspace ids a job lookup is limited to; undefined when the service reaches every workspace. */
export type Reach = readonly string[] | undefined;

/** Creating in a workspace outside the key's binding is 403, whether or not that workspace exists. */
export const requireReach = (service: Service, workspaceId: string): void => {
  if (service.workspaces === undefined || service.workspaces.includes(workspaceId)) return;
  throw forbidden(`The API key "${service.name}" is not bound to this workspace`, { path: "/workspaceId" });
};
