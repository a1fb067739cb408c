// `tessera peers add URL`: the hub's half of peering from the command line, for an admin on the host.
// It builds the runtime from the same config (database, keys, grants) without starting it, asks the
// peer, and prints the peer as JSON; the peer's answer later reaches the running server's inbox.
import { badRequest } from "../../core/errors/tessera-error";
import { createLogger } from "../../core/log/json-logger";
import { createRuntime } from "../../core/runtime/create-runtime";
import { fedError } from "./errors";
import { federationOf } from "./index";
import { addPeer } from "./peers/add-peer";
import { peerView } from "./peers/peer-routes";

export const peersAdd = async (file: string | undefined, url: string | undefined): Promise<string> => {
  if (!url) throw badRequest("peers add expects the peer's URL: tessera peers add https://other.example.com");
  // Logs go to stderr: stdout carries the result alone.
  const log = createLogger({ level: "warn", write: (line) => process.stderr.write(`${line}\n`) });
  const runtime = await createRuntime({ file, log });
  try {
    const context = runtime.plugins.find((plugin) => plugin.name === "federation")?.context;
    const fed = context && (await federationOf(context));
    if (!fed) throw fedError("ERR_FED_DISABLED", 400, "The federation plugin is not enabled in this config");
    return JSON.stringify(peerView(await addPeer(fed, url)));
  } finally {
    await runtime.stop();
  }
};
