// ctx's services as calls to the core: the test answers them as the core would.
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TesseraError, unauthenticated } from "../../../../core/errors/tessera-error";
import type { AuthParams, DbQueryParams, PublishParams } from "../../../../core/isolation/wire/protocol";
import { fromWire, toWire } from "../../../../core/isolation/wire/values";
import { FIXTURE, json, type RunningChild, send, setUpChild } from "./run-child";

let child: RunningChild | undefined;
afterEach(() => child?.kill());

const USER = {
  kind: "user",
  user: { id: "u1", email: null, emailVerified: false, name: null, isAdmin: false, guestOf: null, createdAt: 0 },
  isAdmin: false,
  via: "session",
};

/** The plugin's own database, as the core's `db.query` would run it. */
const sqliteQueries = () => {
  const db = new Database(":memory:");
  db.exec(readFileSync(join(FIXTURE, "migrations", "sqlite", "0001_items.sql"), "utf8"));
  return (params: unknown) => {
    const { sql, params: values, method } = params as DbQueryParams;
    const statement = db.query(sql);
    const bound = values.map((value) => fromWire(value)) as never[];
    if (method === "run") {
      statement.run(...bound);
      return { rows: [] };
    }
    const rows = statement.values(...bound);
    return { rows: toWire(method === "get" ? (rows[0] ?? []) : rows) };
  };
};

describe("ctx across the boundary", () => {
  test("ctx.auth.requireUser asks the core about the request in flight", async () => {
    child = await setUpChild();
    const asked: AuthParams[] = [];
    child.channel.handle("auth.requireUser", (params) => {
      asked.push(params as AuthParams);
      return USER;
    });
    const answer = await send(child, "GET", "/probe/whoami", { request: 41 });
    expect(await json(answer)).toEqual({ userId: "u1" });
    expect(asked).toEqual([{ request: 41 }]);
  });

  test("the core's refusal of a principal is the route's error", async () => {
    child = await setUpChild();
    child.channel.handle("auth.requireUser", () => {
      throw unauthenticated();
    });
    const error = await send(child, "GET", "/probe/whoami").catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "ERR_UNAUTHENTICATED", status: 401 });
  });

  test("ctx.db.orm runs the plugin's queries through db.query", async () => {
    child = await setUpChild({}, {}, { dialect: "sqlite" });
    child.channel.handle("auth.requireUser", () => USER);
    child.channel.handle("db.query", sqliteQueries());
    const post = (text: string) =>
      send(child as RunningChild, "POST", "/probe/items", {
        body: JSON.stringify({ text }),
        headers: { "content-type": "application/json" },
      });
    expect(await json(await post("first"))).toEqual({ id: 1 });
    expect(await json(await post("second"))).toEqual({ id: 2 });
    expect(await json(await send(child, "GET", "/probe/items"))).toEqual({
      items: [
        { id: 1, text: "first" },
        { id: 2, text: "second" },
      ],
    });
  });

  test("without migrations there is no database, and ctx.db says how to get one", async () => {
    child = await setUpChild();
    const error = await send(child, "GET", "/probe/items").catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: "ERR_ISOLATION_UNSUPPORTED" });
    expect((error as TesseraError).message).toContain("declare migrations");
  });

  test("ctx.events.publish is a call, after the role check names the workspace", async () => {
    child = await setUpChild();
    const roles: AuthParams[] = [];
    child.channel.handle("auth.requireRole", (params) => {
      roles.push(params as AuthParams);
      return { principal: USER, role: "member" };
    });
    child.channel.handle("events.publish", (params) => {
      const { workspaceId, event, data } = params as PublishParams;
      return { workspaceId, id: "1", event, data, ts: 5 };
    });
    const answer = await send(child, "POST", "/probe/publish/w1", {
      body: JSON.stringify({ n: 1 }),
      headers: { "content-type": "application/json" },
      request: 7,
    });
    expect(await json(answer)).toEqual({ workspaceId: "w1", id: "1", event: "probe.ping", data: { n: 1 }, ts: 5 });
    expect(roles).toEqual([{ request: 7, workspaceId: "w1", role: "member" }]);
  });
});
