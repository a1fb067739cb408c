// The identity document at /.well-known/tessera: who an instance is, where, and the keys it signs with.
// `readDocument` checks one received from a peer (fetched, or inside a connection message).
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { fedError } from "../errors";
import { COMMAND_NAMES, PROTOCOL } from "../wire/constants";
import { checkedJwk, PublicJwkSchema } from "./jwk";

/** Instance ids end up in URLs (`/federation/peers/:id`), so they are kept to URL-safe characters. */
export const INSTANCE_ID_PATTERN = "^[A-Za-z0-9._:-]{1,128}$";

export const IdentityDocumentSchema = Type.Object({
  protocol: Type.Literal(PROTOCOL),
  id: Type.String({ pattern: INSTANCE_ID_PATTERN }),
  name: Type.String({ maxLength: 200 }),
  url: Type.String({ pattern: "^https?://", maxLength: 2048 }),
  keys: Type.Array(PublicJwkSchema, { minItems: 1, maxItems: 16 }),
  capabilities: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 64 }),
});

export type IdentityDocument = Static<typeof IdentityDocumentSchema>;

export const CAPABILITIES: string[] = [...COMMAND_NAMES];

const documentCheck = TypeCompiler.Compile(IdentityDocumentSchema);

/** A URL without a trailing slash, query or fragment: peers' paths are appended to it. */
export const baseUrl = (text: string): string | null => {
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash || url.username || url.password) {
    return null;
  }
  return url.href.replace(/\/+$/, "");
};

export const readDocument = async (value: unknown): Promise<IdentityDocument> => {
  if (!documentCheck.Check(value)) {
    const first = documentCheck.Errors(value).First();
    const where = first ? `${first.path || "/"}: ${first.message}` : "invalid";
    throw fedError("ERR_FED_MALFORMED", 400, `Not a ${PROTOCOL} identity document (${where})`);
  }
  const url = baseUrl(value.url);
  if (url === null) throw fedError("ERR_FED_MALFORMED", 400, "The identity document's url is not a plain http(s) URL");
  const keys = await Promise.all(value.keys.map(checkedJwk));
  return { protocol: PROTOCOL, id: value.id, name: value.name, url, keys, capabilities: value.capabilities };
};
