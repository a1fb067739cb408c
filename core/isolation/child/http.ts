// One forwarded request: rebuilt as a Request whose body streams from the core, run through the
// plugin's routes, and answered with the response head (its body streams back). A route's error is
// the error reply, so the core answers it with its own problem+json and request id, as in process.
import type { AnyElysia } from "elysia";
import { Elysia } from "elysia";
import type { TesseraError } from "../../errors/tessera-error";
import { bodyGuard } from "../../http/body-guard";
import { requestPath } from "../../http/request-path";
import { toTesseraError } from "../../http/to-tessera-error";
import type { Channel } from "../wire/channel";
import type { HttpParams, HttpResult, WireHeaders } from "../wire/protocol";
import type { RequestNumbers } from "./auth";

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
      return {
        status: response.status,
        headers,
        ...(response.body === null ? {} : { body: channel.sendStream(response.body) }),
      };
    },
  };
};

/** What the core would have made of a route's error in process. */
export const routeFailure = (error: unknown, code: string | number, request: Request): TesseraError =>
  toTesseraError(code, error, request.method, requestPath(request.url));
