// Inbound message bodies are read by the same capped reader as every answer this instance fetches
// (readCapped from the plugin API): the declared length is checked first, then the stream is cut off
// as soon as it passes the limit, so a chunked body can't slip past it either.
import { readCapped as readCappedBody } from "tessera/plugin";

export const readCapped = (
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  max: number,
  tooLarge: () => Error,
): Promise<Uint8Array> => {
  const headers = new Headers(declaredLength === null ? {} : { "content-length": declaredLength });
  return readCappedBody({ body, headers }, max, { tooLarge });
};
