// Opaque page cursors for "newest first" lists: the (createdAt, id) of the last job on the page.
import { badRequest } from "tessera/plugin";

const ID = /^[\w-]{1,64}$/;

export interface Cursor {
  createdAt: number;
  id: string;
}

export const encodeCursor = ({ createdAt, id }: Cursor): string =>
  Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");

const invalid = (cause?: unknown) =>
  badRequest("The cursor is not one this server issued; pass nextCursor from the previous page", { path: "cursor", cause });

export const decodeCursor = (text: string): Cursor => {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch (cause) {
    throw invalid(cause);
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid();
  const [createdAt, id] = value;
  if (!Number.isSafeInteger(createdAt) || typeof id !== "string" || !ID.test(id)) throw invalid();
  return { createdAt, id };
};
