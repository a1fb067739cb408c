// `tessera/app` for Eden treaty: the typed calls compile (and the wrong ones don't), and the same
// calls reach the real app and come back typed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { treaty } from "@elysiajs/eden";
import type { App } from "tessera/app";
import { createSession } from "../../core/identity/sessions";
import { createUser } from "../../core/identity/users";
import { startTestRuntime, type TestRuntime } from "../support/test-runtime";
import { typedCalls } from "./eden-calls";

const root = join(import.meta.dir, "..", "..");

describe("the App type for Eden treaty", () => {
  test("type-checks typed calls and refuses wrong ones (tsc --noEmit on eden-calls.ts)", () => {
    const tsc = Bun.spawnSync([join(root, "node_modules/.bin/tsc"), "--noEmit", "-p", join(import.meta.dir, "tsconfig.json")], {
      cwd: root,
    });
    expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("");
    expect(tsc.exitCode).toBe(0);
    // The compiler loads Elysia's types: seconds alone, more on a busy machine.
  }, 120_000);

  describe("against the running app", () => {
    let t: TestRuntime;
    let token: string;
    beforeAll(async () => {
      t = await startTestRuntime({ plugins: { "api-key": { enabled: true, keys: [] }, coordinator: { enabled: true } } });
      const user = await createUser(t.runtime.db, { email: "typed@example.com", name: "Typed" });
      token = (await createSession(t.runtime.db, user.id, { ttlMs: 60_000 })).token;
    });
    afterAll(() => t?.close());

    test("a typed client's calls come back with the documented shapes", async () => {
      const api = treaty<App>("http://localhost", {
        fetcher: ((input: RequestInfo | URL, init?: RequestInit) =>
          t.runtime.app.handle(new Request(input, init))) as typeof fetch,
      });
      const answers = await typedCalls(api, token);
      expect(answers.email).toBe("typed@example.com");
      expect(answers.id).toBeString();
      expect(answers.roles).toEqual(["owner"]);
      expect(answers.next).toBeNull();
      expect(answers.ready).toEqual({ status: "ready" });
    });
  });
});
