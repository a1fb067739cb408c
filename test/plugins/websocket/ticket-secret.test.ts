import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadTicketSecret } from "../../../plugins/websocket/ticket-secret";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime({});
});
afterAll(() => t.close());

describe("the ticket secret", () => {
  test("without a configured secret, every instance on one database gets the same generated one", async () => {
    const first = await loadTicketSecret(t.runtime.db, undefined);
    const second = await loadTicketSecret(t.runtime.db, undefined);
    expect(first.byteLength).toBe(32);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  test("a configured secret is used as given", async () => {
    const configured = "x".repeat(40);
    expect(Buffer.from(await loadTicketSecret(t.runtime.db, configured)).toString()).toBe(configured);
  });
});
