// Reads a provider's JSON answer with a size cap, so a broken or hostile endpoint can't make us buffer without bound.
const MAX_BYTES = 256 * 1024;

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export type JsonRead = { ok: true; value: JsonObject } | { ok: false; reason: string };

export const readJsonObject = async (response: Response): Promise<JsonRead> => {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_BYTES) {
    await response.body?.cancel();
    return { ok: false, reason: `the answer is larger than ${MAX_BYTES} bytes` };
  }
  const bytes = await response.arrayBuffer();
  if (bytes.byteLength > MAX_BYTES) return { ok: false, reason: `the answer is larger than ${MAX_BYTES} bytes` };
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
