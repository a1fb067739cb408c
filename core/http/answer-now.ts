// Route handlers that answer without suspending when nothing they need is pending. Elysia reads a
// handler's source text to decide whether to await it (`async`, `await`, `return f(` or `=> f(` anywhere
// in it), and an awaited handler suspends the request at least twice; it also parses only the request
// parts a handler names. The wrapper below names `request` and `params` and nothing in its text looks
// asynchronous, so Elysia calls it plainly; a promise it returns after all is settled by the root app,
// errors included (create-app.ts). A route that needs other parts writes its own wrapper the same way
// (the WebSocket upgrade names `server` and `query`: naming `server` costs every request a getter).
import type { Context } from "elysia";
import { isPromiseLike, type MaybePromise } from "../async/maybe-promise";

export interface RequestParts {
  request: Request;
  params: Record<string, string>;
}

export const answerNow = <R>(handler: (parts: RequestParts) => MaybePromise<R>) =>
  function answer({ request, params }: RequestParts) {
    // Two statements on purpose: Bun's transpiler folds `const x = f(); return x` into `return f(`.
    const answered = handler({ request, params });
    if (isPromiseLike(answered)) return answered;
    return answered;
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
