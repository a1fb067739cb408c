// One forwarded request: rebuilt as a Request whose body streams from the core, run through the
// plugin's routes, and answered with the response head (its body streams back). A route's error is
// the error reply, so the core answers it with its own problem+json and request id, as in process.

import { Buffer } from "node:buffer";
import type { AnyElysia } from "elysia";
import { Elysia } from "elysia";
import type { TesseraError } from "../../errors/tessera-error";
import { bodyGuard } from "../../http/body-guard";
import { requestPath } from "../../http/request-path";
import { toTesseraError } from "../../http/to-tessera-error";
import type { Channel } from "../wire/channel";
import type { HttpParams, HttpResult, WireHeaders } from "../wire/protocol";
import type { RequestNumbers } from "./auth";

/** A body up to this size, complete at once, crosses inside the reply instead of as a stream. */
const INLINE_MAX = 64 * 1024;

const isEventStream = (response: Response) => response.headers.get("content-type")?.startsWith("text/event-stream") === true;

const NOT_YET = Symbol("not yet");
// A read of a body that is already in memory settles within a microtask or two; one still being produced
// does not settle before a few have passed. A timer would do too, at a cost on every request.
const PATIENCE = 4;
const soon = (): Promise<typeof NOT_YET> => {
  let waited = Promise.resolve();
  for (let turn = 0; turn < PATIENCE; turn++) waited = waited.then();
  return waited.then(() => NOT_YET);
};

type Read = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;

/** The rest of a body after what was read of it (`started`, then `pending`, then the reader). */
const resumed = (
  reader: ReadableStreamDefaultReader<Uint8Array>,
  started: Uint8Array[],
  pending?: Promise<Read>,
): ReadableStream<Uint8Array> => {
  let waiting = pending;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of started) controller.enqueue(chunk);
    },
    async pull(controller) {
      const read = await (waiting ?? reader.read());
      waiting = undefined;
      if (read.done) controller.close();
      else controller.enqueue(read.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
};

/**
 * The body inline when it is small and already complete (a JSON answer), else as a stream. Whether it is
 * complete is asked without waiting: a body still being produced streams from its first byte.
 */
const answerBody = async (channel: Channel, response: Response): Promise<Pick<HttpResult, "body" | "inline">> => {
  if (response.body === null) return {};
  if (isEventStream(response)) return { body: channel.sendStream(response.body) };
  const stream = (started: Uint8Array[], pending?: Promise<Read>) => ({
    body: channel.sendStream(resumed(reader, started, pending)),
  });
  const reader = response.body.getReader();
  const firstRead = reader.read();
  const first = await Promise.race([firstRead, soon()]);
  if (first === NOT_YET) return stream([], firstRead);
  if (first.done) return { inline: "" };
  if (first.value.length > INLINE_MAX) return stream([first.value]);
  const secondRead = reader.read();
  const second = await Promise.race([secondRead, soon()]);
  if (second === NOT_YET) return stream([first.value], secondRead);
  if (second.done) return { inline: Buffer.from(first.value).toString("base64") };
  return stream([first.value, second.value]);
};

/** server.maxJsonDepth's default, for a core that does not send its own. */
const DEFAULT_MAX_JSON_DEPTH = 64;

export interface Routes {
  handle(params: HttpParams): Promise<HttpResult>;
}

export interface RoutesInput {
  channel: Channel;
  app: AnyElysia;
  numbers: RequestNumbers;
  clientAddresses: WeakMap<Request, string>;
  maxJsonDepth?: number;
  /** A route's failure as the core must see it (a runtime refusal becomes PermissionDenied there). */
  failure: (error: unknown, code: string | number, request: Request) => TesseraError;
}

/**
 * The plugin's app inside one with the core's request checks: bodies checked as the core checks them
 * (depth, then the route's schema), and every error recorded for its request instead of answered.
 */
export const childRoutes = ({ channel, app, numbers, clientAddresses, maxJsonDepth, failure }: RoutesInput): Routes => {
  const failures = new WeakMap<Request, TesseraError>();
  const root: AnyElysia = new Elysia({ normalize: false, handler: { standardHostname: false } })
    .onTransform(bodyGuard(() => root.routes, maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH))
    .onError(({ code, error, request }) => {
      failures.set(request, failure(error, code, request));
      return new Response(null, { status: 500 });
    })
    .use(app);

  return {
    handle: async (params) => {
      const request = new Request(params.url, {
        method: params.method,
        headers: params.headers,
        ...(params.body === undefined ? {} : { body: channel.receiveStream(params.body), duplex: "half" }),
      });
      numbers.set(request, params.request);
      clientAddresses.set(request, params.clientAddress);
      let response: Response;
      try {
        response = await root.handle(request);
      } catch (error) {
        // A handler answering without waiting hands its rejection past onError (see answer-now.ts).
        throw failure(error, "UNKNOWN", request);
      }
      const failed = failures.get(request);
      if (failed) {
        await response.body?.cancel();
        throw failed;
      }
      // Set-Cookie stays one entry per cookie.
      const headers: WireHeaders = [];
      response.headers.forEach((value, name) => {
        headers.push([name, value]);
      });
      return { status: response.status, headers, ...(await answerBody(channel, response)) };
    },
  };
};

/** What the core would have made of a route's error in process. */
export const routeFailure = (error: unknown, code: string | number, request: Request): TesseraError =>
  toTesseraError(code, error, request.method, requestPath(request.url));
