// One thread holding an isolated plugin's SQLite file (sqlite-worker.ts), asked one thing at a time.
import { databaseUnavailable } from "../../db/unreachable";
import { TesseraError } from "../../errors/tessera-error";
import { buildInfo } from "../../runtime/build-info";
import type { DbQueryParams, DbQueryResult } from "../wire/protocol";
import { type Opened, received, type SqliteReply, type SqliteRequest } from "./sqlite-worker-protocol";

// The single binary holds the worker as an entry point of its own (scripts/build.ts), found by its path
// from the project's root; from source it is the file beside this one.
const WORKER = buildInfo.binary
  ? "./core/isolation/database/sqlite-worker.ts"
  : new URL("./sqlite-worker.ts", import.meta.url).href;

type OpenRequest = Extract<SqliteRequest, { kind: "open" }>;

const mismatch = (request: string) =>
  new TesseraError("ERR_INTERNAL", `The SQLite thread answered ${request} with another reply`);

interface Asked {
  resolve: (reply: SqliteReply) => void;
  reject: (error: TesseraError) => void;
}

export class SqliteThread {
  readonly #worker = new Worker(WORKER);
  #asked?: Asked;
  /** Why the thread answers no more, once it does not. */
  #gone?: TesseraError;
  /** Settles when the thread has ended, whatever ended it. */
  readonly ended: Promise<void>;

  /** `onFailure` hears why the thread failed or ended unasked: the client is answered only a terse 503. */
  constructor(onFailure: (reason: string) => void) {
    this.#worker.addEventListener("message", (event: MessageEvent<SqliteReply>) => {
      const asked = this.#asked;
      this.#asked = undefined;
      asked?.resolve(event.data);
    });
    this.#worker.addEventListener("error", (event: ErrorEvent) => {
      if (this.alive) onFailure(event.message);
      this.#fail(new Error(event.message));
    });
    this.ended = new Promise((done) =>
      this.#worker.addEventListener("close", () => {
        if (this.alive) onFailure("the SQLite thread ended unasked");
        this.#fail(new Error("the SQLite thread ended"));
        done();
      }),
    );
  }

  get alive(): boolean {
    return this.#gone === undefined;
  }

  async open(request: OpenRequest): Promise<Opened> {
    const reply = await this.#ask(request);
    if (!("opened" in reply)) throw mismatch("an open");
    return reply.opened;
  }

  async query(params: DbQueryParams): Promise<DbQueryResult> {
    const reply = await this.#ask({ kind: "query", params });
    if (!("result" in reply)) throw mismatch("a query");
    return reply.result;
  }

  /** Ends the thread at once, as far as the core is concerned: a statement running in it runs on until it ends. */
  terminate(): void {
    this.#fail(new Error("the SQLite thread was terminated"));
    this.#worker.terminate();
  }

  /** Closes the file and ends the thread; terminates it if that takes longer than `ms`. */
  async close(ms: number): Promise<void> {
    if (!this.alive) return;
    this.#fail(new Error("the SQLite thread was closed"));
    this.#worker.postMessage({ kind: "close" } satisfies SqliteRequest);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((done) => {
      timer = setTimeout(() => done(false), ms);
    });
    const ended = await Promise.race([this.ended.then(() => true), late]);
    clearTimeout(timer);
    if (!ended) this.terminate();
  }

  #ask(request: SqliteRequest): Promise<SqliteReply> {
    if (this.#gone !== undefined) return Promise.reject(this.#gone);
    if (this.#asked !== undefined)
      return Promise.reject(new TesseraError("ERR_INTERNAL", "The SQLite thread is asked one thing at a time"));
    return new Promise<SqliteReply>((resolve, reject) => {
      this.#asked = { resolve, reject };
      this.#worker.postMessage(request);
    }).then((reply) => {
      if (!reply.ok) throw received(reply.error);
      return reply;
    });
  }

  #fail(cause: Error): void {
    this.#gone ??= databaseUnavailable(cause);
    const asked = this.#asked;
    this.#asked = undefined;
    asked?.reject(this.#gone);
  }
}
