import { describe, expect, test } from "bun:test";
import { createAuth } from "../../../core/identity/auth";
import type { Principal } from "../../../core/identity/types";

const service = (name: string): Principal => ({ kind: "service", name, scopes: [] });
const request = () => new Request("http://localhost/");
const auth = () => createAuth({ admins: [], roleOf: async () => null });

describe("auth.principal", () => {
  test("runs resolvers by order, synchronous and asynchronous alike, until one answers", async () => {
    const chain = auth();
    const asked: string[] = [];
    const note = <T>(name: string, answer: T): T => {
      asked.push(name);
      return answer;
    };
    chain.register("late", () => note("late", service("late")), 50);
    chain.register("async-null", async () => note("async-null", null), 10);
    chain.register("sync-null", () => note("sync-null", null), 0);
    expect(await chain.principal(request())).toEqual(service("late"));
    expect(asked).toEqual(["sync-null", "async-null", "late"]);
  });

  test("a synchronous answer stops the chain before any later resolver runs", async () => {
    const chain = auth();
    let laterRan = false;
    chain.register("first", () => service("first"), 0);
    chain.register(
      "second",
      async () => {
        laterRan = true;
        return service("second");
      },
      1,
    );
    expect(await chain.principal(request())).toEqual(service("first"));
    expect(laterRan).toBe(false);
  });

  test("is resolved once per request, however often it is asked", async () => {
    const chain = auth();
    let calls = 0;
    chain.register("counting", () => {
      calls++;
      return service("once");
    });
    const shared = request();
    await Promise.all([chain.principal(shared), chain.principal(shared), chain.requireUser(shared).catch(() => null)]);
    expect(calls).toBe(1);
    await chain.principal(request());
    expect(calls).toBe(2);
  });

  test("a resolver that throws synchronously rejects the principal, and keeps rejecting it", async () => {
    const chain = auth();
    let calls = 0;
    chain.register("bad-credential", () => {
      calls++;
      throw new Error("invalid key");
    });
    const shared = request();
    await expect(chain.principal(shared)).rejects.toThrow("invalid key");
    await expect(chain.principal(shared)).rejects.toThrow("invalid key");
    expect(calls).toBe(1);
  });

  test("no resolver answering is an anonymous request, and requireUser says 401", async () => {
    const chain = auth();
    chain.register("none", () => null);
    expect(await chain.principal(request())).toBeNull();
    await expect(chain.requireUser(request())).rejects.toMatchObject({ status: 401 });
  });
});
