// A client-side deadline on every statement the ORM runs through Bun.sql. PostgreSQL's own
// statement_timeout cannot fire when packets don't pass (a partition): without this, a request
// waits for TCP to give up, which takes minutes.
import type { SQL } from "bun";
import { isTesseraError } from "../errors/tessera-error";
import { databaseTimedOut } from "./unreachable";

interface Deadlined<T> extends PromiseLike<T> {
  values(): Deadlined<unknown>;
}

const within = <T>(work: PromiseLike<T>, ms: number, onExpiry: () => void): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onExpiry();
      reject(databaseTimedOut(ms));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

// Drizzle reads rows as `await client.unsafe(…)` or `await client.unsafe(…).values()`.
const deadlined = <T>(query: SQL.Query<T>, ms: number): Deadlined<T> => ({
  values: () => deadlined(query.values(), ms),
  // cancel() drops a statement still queued for a connection and asks the server to stop a running one.
  // biome-ignore lint/suspicious/noThenProperty: a lazy thenable, so values() can still pick the row format before it runs.
  then: (onFulfilled, onRejected) => within(query, ms, () => query.cancel()).then(onFulfilled, onRejected),
});

const isDeadline = (error: unknown) => isTesseraError(error) && error.code === "ERR_DB_UNREACHABLE";

type Begin = (body: (tx: SQL) => Promise<unknown>) => Promise<unknown>;

/**
 * BEGIN must come within the deadline (it waits for a free connection); a statement of the transaction
 * that misses its own fails the whole at once, without waiting for a ROLLBACK that could hang as long.
 */
const transactionWithin = (begin: Begin, body: (tx: SQL) => unknown, ms: number) =>
  new Promise((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(databaseTimedOut(ms));
    }, ms);
    begin(async (tx) => {
      clearTimeout(timer);
      // Began too late: the caller has its answer already; throwing rolls the transaction back.
      if (expired) throw databaseTimedOut(ms);
      try {
        return await body(withStatementDeadline(tx, ms));
      } catch (error) {
        if (isDeadline(error)) reject(error);
        throw error;
      }
    }).then(resolve, reject);
  });

/** `client` for drizzle: its statements, transactions and savepoints each get `ms` to answer. */
export const withStatementDeadline = (client: SQL, ms: number): SQL =>
  new Proxy(client, {
    get(target, key) {
      if (key === "unsafe") return (query: string, params?: unknown[]) => deadlined(target.unsafe(query, params), ms);
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      // A transaction's own client (`tx`) has savepoint() where the pool has begin().
      if (key === "begin" || key === "savepoint") {
        const begin: Begin = (body) => value.call(target, body);
        return (body: (tx: SQL) => unknown) => transactionWithin(begin, body, ms);
      }
      return value.bind(target);
    },
  });
