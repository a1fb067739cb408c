// Reads a provider's JSON answer with a size cap enforced while it streams, so a broken or hostile
// endpoint can't make us buffer without bound.
import { isTesseraError, readCapped } from "tessera/plugin";

/** The most any answer from the provider (discovery, token, userinfo, introspection, JWKS) may be. */
export const MAX_ANSWER_BYTES = 256 * 1024;

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export type JsonRead = { ok: true; value: JsonObject } | { ok: false; reason: string };

/** The answer as a JSON object, or why it is unusable. Rejects only when the answer stops arriving (ERR_FETCH_TIMEOUT). */
export const readJsonObject = async (response: Response): Promise<JsonRead> => {
  let bytes: Uint8Array;
  try {
    bytes = await readCapped(response, MAX_ANSWER_BYTES);
  } catch (error) {
    if (isTesseraError(error) && error.code === "ERR_FETCH_TOO_LARGE") {
      return { ok: false, reason: `the answer is larger than ${MAX_ANSWER_BYTES} bytes` };
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    const type = response.headers.get("content-type") ?? "no content type";
    return { ok: false, reason: `the answer is not JSON (${type})` };
  }
  return isJsonObject(value) ? { ok: true, value } : { ok: false, reason: "the answer is not a JSON object" };
};

export const stringField = (object: JsonObject, key: string): string | undefined => {
  const value = object[key];
  return typeof value === "string" ? value : undefined;
};

export const stringListField = (object: JsonObject, key: string): string[] | undefined => {
  const value = object[key];
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;
};
