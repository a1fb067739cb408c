// A body sent without Content-Length (chunked) is cut off at server.bodyLimit while it is read, by
// whichever parser reads it, with the same problem+json 413 a declared length over the limit gets
// (create-app.ts refuses those before reading). Bun's own maxRequestBodySize answers with a bare 413,
// so the server sets that far higher (serve.ts) and this is the limit that applies.
import { TesseraError } from "../errors/tessera-error";

export const bodyTooLarge = (bodyLimit: number) =>
  new TesseraError("ERR_BODY_TOO_LARGE", `The request body is larger than ${bodyLimit} bytes`, { status: 413 });

const capAt = (bodyLimit: number) => {
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > bodyLimit) controller.error(bodyTooLarge(bodyLimit));
      else controller.enqueue(chunk);
    },
  });
};

interface RequestHolder {
  request: Request;
}

/** An onRequest hook; a request with a declared length (or none at all) passes untouched. */
export const capUndeclaredBody = (bodyLimit: number) =>
  function capBody(context: RequestHolder) {
    const body = context.request.body;
    if (body === null || context.request.headers.get("content-length") !== null) return;
    context.request = new Request(context.request, { body: body.pipeThrough(capAt(bodyLimit)), duplex: "half" } as RequestInit);
  };
