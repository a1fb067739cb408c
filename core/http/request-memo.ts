// Per-request memos: values worked out once for a request (its start time, its API key, its principal)
// and asked for again later in the same request. Kept on the Request itself under a private symbol, not
// in a WeakMap: a hot route keeps three or four of them per request, and WeakMap entries cost the server
// throughput, most of it in the garbage collector's weak-entry sweeps.

export interface RequestMemo<T> {
  get(request: Request): T | undefined;
  set(request: Request, value: T): void;
}

type Carrier = Record<symbol, unknown>;

/** A memo slot no other module can read or overwrite; `name` only labels the symbol in a debugger. */
export const requestMemo = <T>(name: string): RequestMemo<T> => {
  const slot = Symbol(name);
  return {
    get: (request) => (request as unknown as Carrier)[slot] as T | undefined,
    set: (request, value) => {
      (request as unknown as Carrier)[slot] = value;
    },
  };
};
