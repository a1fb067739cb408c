// Names this process among the instances that share one database, for what only it can finish (the agents
// it runs). It must survive a restart, so it comes from where the instance listens, not from the process.
import { hostname } from "node:os";

/**
 * `server.instanceId` when set; otherwise host name and port, which a restart on the same machine keeps.
 * Port 0 (any free port) is only known after plugins start, so such an instance gets an id of its own
 * for this process alone.
 */
export const instanceIdFor = (configured: string | undefined, port: number): string =>
  configured ?? (port === 0 ? `${hostname()}:0:${crypto.randomUUID()}` : `${hostname()}:${port}`);
