// Bytes to text without repair: a lenient decoder turns invalid UTF-8 into U+FFFD, so what was stored
// would differ from what was sent, and two different byte strings would read as one.
import { badRequest } from "../errors/tessera-error";

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text the bytes spell, or ERR_BAD_REQUEST (400) when they are not valid UTF-8. */
export const decodeUtf8 = (bytes: ArrayBuffer | Uint8Array, what = "The request body"): string => {
  try {
    return strict.decode(bytes);
  } catch (cause) {
    throw badRequest(`${what} is not valid UTF-8`, { cause });
  }
};
