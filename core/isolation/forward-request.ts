// Hot path: one request to an isolated plugin's route, forwarded over its channel. Credentials stay in the
// core (the child asks `auth.*` naming the request's number); the body streams both ways; an error reply
// is thrown as the TesseraError it carries so the core answers with its own problem+json.
import type { TesseraError } from "../errors/tessera-error";
import type { ClientAddress, PeerAddress } from "../http/client-address";
import { protocolError } from "./services/params";
import type { Channel } from "./wire/channel";
import type { HttpParams, HttpResult, WireHeaders } from "./wire/protocol";

const CREDENTIALS = new Set(["cookie", "authorization", "x-api-key"]);
const REQUEST_ID = "x-request-id";

export interface ForwardDeps {
  /** The live child's channel, or a 503 thrown while it is down. */
  channel(): Channel;
  /** The same error, for a child that went away while the request was in flight. */
  unavailable(): TesseraError;
  inFlight: Map<number, Request>;
  clientAddress: ClientAddress;
  /** The public origin the child sees in request URLs. */
  origin: string;
}

interface ResponseSetter {
  headers: Record<string, unknown>;
}

const isResult = (value: unknown): value is HttpResult => {
  if (typeof value !== "object" || value === null) return false;
  const { status, headers, body, inline } = value as Record<string, unknown>;
  return (
    Number.isInteger(status) &&
    (status as number) >= 200 &&
    (status as number) <= 599 &&
    Array.isArray(headers) &&
    headers.every(
      (pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string" && typeof pair[1] === "string",
    ) &&
    (body === undefined || body === null || Number.isInteger(body)) &&
    (inline === undefined || typeof inline === "string")
  );
};

const pathAndQuery = (url: string) => url.slice(url.indexOf("/", url.indexOf("//") + 2));

const isEventStream = (headers: WireHeaders) =>
  headers.some(([name, value]) => name.toLowerCase() === "content-type" && value.toLowerCase().startsWith("text/event-stream"));

/**
 * A streamed answer: `finished` runs once it ends or is cancelled (the request stays known to `auth.*` until
 * then); an event stream is also in `open`, for the server to end at drain (it would otherwise hold the
 * shutdown until its timeout).
 */
const tracked = (body: ReadableStream<Uint8Array>, finished: () => void, open?: Set<() => void>): ReadableStream<Uint8Array> => {
  const reader = body.getReader();
  let end: () => void = () => undefined;
  let over = false;
  const done = () => {
    if (over) return;
    over = true;
    open?.delete(end);
    finished();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (!open) return;
      end = () => {
        done();
        reader.cancel("the server is shutting down").catch(() => undefined);
        controller.close();
      };
      open.add(end);
    },
    async pull(controller) {
      const chunk = await reader.read();
      if (!chunk.done) return controller.enqueue(chunk.value);
      done();
      controller.close();
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
};

export interface Forwarder {
  forward(request: Request, set: ResponseSetter, peer?: PeerAddress | null): Promise<Response>;
  /** Ends the event streams still open (ctx.onDrain). */
  drain(): void;
}

export const forwarder = (deps: ForwardDeps): Forwarder => {
  let next = 1;
  const open = new Set<() => void>();
  const drain = () => {
    for (const end of [...open]) end();
  };
  const forward = async (request: Request, set: ResponseSetter, peer?: PeerAddress | null): Promise<Response> => {
    const channel = deps.channel();
    const number = next++;
    const echoed = set.headers[REQUEST_ID];
    const requestId = typeof echoed === "string" ? echoed : crypto.randomUUID();
    const headers: WireHeaders = [];
    request.headers.forEach((value, name) => {
      if (!CREDENTIALS.has(name)) headers.push([name, value]);
    });
    const hasBody = request.body !== null && request.method !== "GET" && request.method !== "HEAD";
    const params: HttpParams = {
      request: number,
      method: request.method,
      url: deps.origin + pathAndQuery(request.url),
      headers,
      requestId,
      clientAddress: deps.clientAddress(request, peer),
    };
    deps.inFlight.set(number, request);
    let streaming = false;
    try {
      if (hasBody && request.body) params.body = channel.sendStream(request.body);
      const result = await channel.call("http", params);
      if (!isResult(result)) throw protocolError("http: the child's reply is not a response head");
      if (typeof result.body === "number") {
        streaming = true;
        const forget = () => deps.inFlight.delete(number);
        const body = tracked(channel.receiveStream(result.body), forget, isEventStream(result.headers) ? open : undefined);
        return new Response(body, { status: result.status, headers: result.headers });
      }
      const inline = result.inline === undefined ? null : Buffer.from(result.inline, "base64");
      return new Response(inline, { status: result.status, headers: result.headers });
    } catch (error) {
      // The id the child logged under is the one the problem names.
      set.headers[REQUEST_ID] = requestId;
      throw channel.isClosed ? deps.unavailable() : error;
    } finally {
      if (!streaming) deps.inFlight.delete(number);
    }
  };
  return { forward, drain };
};
