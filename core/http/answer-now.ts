// The one place that relies on how Elysia decides whether to await a handler or hook: it reads the
// function's source text, and treats it as asynchronous when `async`, `await`, `return f(` or `=> f(`
// appears anywhere in it. An awaited handler suspends the request at least twice, and one awaited hook
// turns every route it covers into an async function. Each wrapper below names the request parts it
// needs (Elysia parses only those) and nothing in its text looks asynchronous, so Elysia calls it
// plainly; a promise it returns after all is settled by the root app, errors included (create-app.ts).
// test/core/http/answer-now.test.ts holds one test per wrapper that fails if Elysia reads them otherwise.
import type { Context } from "elysia";
import { isPromiseLike, type MaybePromise } from "../async/maybe-promise";

export interface RequestParts {
  request: Request;
  params: Record<string, string>;
}

/** A route handler that answers at once when nothing it needs is pending, and with a promise otherwise. */
export const answerNow = <R>(handler: (parts: RequestParts) => MaybePromise<R>) =>
  function answer({ request, params }: RequestParts) {
    // Two statements on purpose: Bun's transpiler folds `const x = f(); return x` into `return f(`.
    const answered = handler({ request, params });
    if (isPromiseLike(answered)) return answered;
    return answered;
  };

export interface UpgradeParts<S> {
  request: Request;
  /** Null when the app is driven without a server (`app.handle`). */
  server: S | null;
  query: Record<string, unknown>;
}

/**
 * answerNow for a WebSocket upgrade, which also needs the server and the query. Only an upgrade route
 * should use it: naming `server` makes Elysia install a getter on every request of that route.
 */
export const upgradeNow = <S, R>(upgrade: (parts: UpgradeParts<S>) => MaybePromise<R>) =>
  function upgradeRequest({ request, server, query }: UpgradeParts<S>) {
    const upgraded = upgrade({ request, server, query });
    if (isPromiseLike(upgraded)) return upgraded;
    return upgraded;
  };

export interface HookParts {
  request: Request;
  set: Context["set"];
}

/**
 * An onRequest hook that never has to wait (it throws to refuse), for Elysia to call plainly: an awaited
 * onRequest hook makes every route of the app suspend once more per request. Its return value is dropped.
 */
export const hookNow = (hook: (parts: HookParts) => unknown) =>
  function check({ request, set }: HookParts) {
    hook({ request, set });
  };

/**
 * An onRequest hook that may have to wait (a limiter in Redis): an async function, so that Elysia awaits
 * it whatever its body reads like. Its return value is dropped.
 */
export const hookLater = (hook: (parts: HookParts) => unknown) =>
  async function wait({ request, set }: HookParts) {
    await hook({ request, set });
  };

export interface ResponseParts extends HookParts {
  route: string;
  response: unknown;
}

/**
 * A mapResponse hook that returns a promise only when the response is one: a hook that looked
 * asynchronous would make every route it covers an async function.
 */
export const mapResponseNow = (map: (parts: ResponseParts) => Promise<Response> | undefined) =>
  function mapNow({ request, route, set, response }: ResponseParts) {
    const mapped = map({ request, route, set, response });
    if (mapped === undefined) return undefined;
    return mapped;
  };
