// Fetches and checks another instance's identity document, on a host the config allows.
import { isTesseraError, netAllowed, PermissionDenied, readCapped, validationFailed } from "tessera/plugin";
import { fedError, hostNotGranted } from "../errors";
import type { Federation } from "../federation";
import { baseUrl, type IdentityDocument, readDocument } from "../identity/document";
import { MAX_REPLY_BYTES, WELL_KNOWN_PATH } from "../wire/constants";

/** The peer URL in canonical form, or a 422 / 403 naming what to fix. */
export const peerUrl = (deps: Pick<Federation, "config">, text: string): string => {
  const url = baseUrl(text);
  if (url === null) {
    throw validationFailed("url must be an http(s) URL without credentials, query or fragment", { path: "url" });
  }
  if (!netAllowed(new URL(url), deps.config.peers.allowedHosts)) {
    throw fedError(
      "ERR_FED_NOT_GRANTED",
      403,
      `${new URL(url).host} is not among the hosts peers may live on; add it to plugins.federation.peers.allowedHosts`,
      {
        path: "plugins.federation.peers.allowedHosts",
      },
    );
  }
  return url;
};

export const fetchDocument = async (deps: Pick<Federation, "config" | "fetch">, url: string): Promise<IdentityDocument> => {
  const where = `${peerUrl(deps, url)}${WELL_KNOWN_PATH}`;
  let raw: Uint8Array;
  try {
    const response = await deps.fetch(where, {
      headers: { accept: "application/json" },
      timeoutMs: deps.config.delivery.timeoutMs,
    });
    raw = await readCapped(response, MAX_REPLY_BYTES, {
      tooLarge: () => fedError("ERR_FED_RESPONSE", 502, `${where} is larger than ${MAX_REPLY_BYTES} bytes`),
    });
    if (!response.ok) throw fedError("ERR_FED_UNREACHABLE", 504, `${where} answered ${response.status}`);
  } catch (error) {
    if (error instanceof PermissionDenied) throw hostNotGranted(error);
    if (isTesseraError(error)) throw error;
    throw fedError(
      "ERR_FED_UNREACHABLE",
      504,
      `${where} could not be read: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    return await readDocument(JSON.parse(new TextDecoder().decode(raw)));
  } catch (error) {
    throw fedError(
      "ERR_FED_RESPONSE",
      502,
      `${where} is not a usable identity document: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
};
