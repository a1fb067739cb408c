// Values that are there at once on the common path (a cached session, SQLite, an in-memory limiter)
// and only sometimes need waiting for (a cache miss, PostgreSQL, Redis). An await suspends the request
// even when nothing is pending, so hot paths pass these on instead; `andThen` is the one helper for
// chaining them, and core/http/answer-now.ts mounts such handlers so that Elysia does not await them.

export type MaybePromise<T> = T | Promise<T>;

/** A promise or any thenable: drizzle's query builders are typed as promises but are not Promise instances. */
export const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  value instanceof Promise ||
  (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function");

/** `next(value)`, at once when the value is there, after it settles otherwise. */
export const andThen = <T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> =>
  isPromiseLike(value) ? Promise.resolve(value).then(next) : next(value);
