// Security issue #24, item 3: the stitcher webhook was authenticated by the API key alone, so a leaked
// chat-bot key could forge deliveries and a captured one could be replayed at will. A key with a webhook
// secret must now sign each delivery (X-Tessera-Signature), within five minutes, once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseUrls } from "../../support/databases";
import { keys, sign, startTenancy, type TenancyRuntime, WEBHOOK_SECRET, WORKSPACE } from "./tenancy-runtime";

const SIGNATURE = "x-tessera-signature";

for (const { dialect, create } of await testDatabaseUrls()) {
  describe(`the signed stitcher webhook (${dialect})`, () => {
    let c: TenancyRuntime;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const database = await create();
      drop = database.drop;
      c = await startTenancy(database.url);
    });
    afterAll(async () => {
      await c.close();
      await drop();
    });

    const jobCount = async () => (await c.t.runtime.db.orm.select().from(c.t.runtime.db.tables.jobs)).length;
    // Spacing and key order a re-serialisation would change: the signature covers the bytes as sent.
    const rawDelivery = (text: string = crypto.randomUUID()) =>
      `{ "event": "chat.command",\n  "workspaceId": "${WORKSPACE}", "data": {"text": "${text}", "n": 1.50} }`;

    const expectRefused = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ code });
    };

    test("accepts a delivery signed over its raw bytes as sent", async () => {
      const raw = rawDelivery("deploy");
      const response = await c.deliver(raw, { [SIGNATURE]: sign(raw) });
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ type: "chat.command", payload: { text: "deploy", n: 1.5 } });
    });

    test("refuses an unsigned delivery from a key that has a webhook secret (a leaked key alone forges nothing)", async () => {
      const before = await jobCount();
      await expectRefused(await c.deliver(rawDelivery()), 401, "ERR_WEBHOOK_SIGNATURE");
      expect(await jobCount()).toBe(before);
    });

    test("refuses a replayed signed delivery with 409 ERR_WEBHOOK_REPLAY, even under a new Idempotency-Key", async () => {
      const raw = rawDelivery();
      const signedAt = Math.floor(Date.now() / 1000);
      const signature = sign(raw, signedAt);
      expect((await c.deliver(raw, { [SIGNATURE]: signature, "idempotency-key": "first" })).status).toBe(201);
      const before = await jobCount();
      await expectRefused(
        await c.deliver(raw, { [SIGNATURE]: signature, "idempotency-key": "first" }),
        409,
        "ERR_WEBHOOK_REPLAY",
      );
      await expectRefused(
        await c.deliver(raw, { [SIGNATURE]: signature, "idempotency-key": "second" }),
        409,
        "ERR_WEBHOOK_REPLAY",
      );
      expect(await jobCount()).toBe(before);
      // A redelivery signed afresh is the sender's own retry: its Idempotency-Key makes it safe.
      const resigned = await c.deliver(raw, {
        // Another second than the first signature's, whenever the clock ticked: otherwise it is the same one.
        [SIGNATURE]: sign(raw, signedAt - 1),
        "idempotency-key": "first",
      });
      expect(resigned.status).toBe(200);
      expect(resigned.headers.get("idempotent-replayed")).toBe("true");
    });

    test("refuses a concurrent replay: of 10 identical signed deliveries exactly one is accepted", async () => {
      const raw = rawDelivery();
      const signature = sign(raw);
      const statuses = await Promise.all(
        Array.from({ length: 10 }, async () => (await c.deliver(raw, { [SIGNATURE]: signature })).status),
      );
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(9);
    });

    test("refuses a signature over another body, under another secret, or outside the five-minute window", async () => {
      const before = await jobCount();
      const raw = rawDelivery();
      const now = Math.floor(Date.now() / 1000);
      const tampered = raw.replace('"n": 1.50', '"n": 1.5');
      const cases: [string, string, string][] = [
        ["a tampered body", tampered, sign(raw)],
        ["another secret", raw, sign(raw, now, `${WEBHOOK_SECRET}x`)],
        ["a stale timestamp", raw, sign(raw, now - 301)],
        ["a future timestamp", raw, sign(raw, now + 301)],
        ["a timestamp moved without re-signing", raw, sign(raw, now - 400).replace(`t=${now - 400}`, `t=${now}`)],
      ];
      for (const [what, body, signature] of cases) {
        const response = await c.deliver(body, { [SIGNATURE]: signature });
        expect({ what, status: response.status }).toEqual({ what, status: 401 });
        expect((await response.json()).code).toBe("ERR_WEBHOOK_SIGNATURE");
      }
      expect(await jobCount()).toBe(before);
    });

    test("refuses malformed signature headers with 401", async () => {
      const raw = rawDelivery();
      const good = sign(raw);
      const v1 = good.split("v1=")[1] ?? "";
      const now = Math.floor(Date.now() / 1000);
      for (const header of [
        "",
        "garbage",
        `v1=${v1}`,
        `t=${now}`,
        `t=${now},t=${now},v1=${v1}`,
        `t=${now},v1=${v1.toUpperCase()}`,
        `t=${now},v1=${v1.slice(2)}`,
        `t=-1,v1=${v1}`,
        `t=${now}.5,v1=${v1}`,
        `t=${now},${Array.from({ length: 5 }, () => `v1=${v1}`).join(",")}`,
        `t=${now},v1=${"0".repeat(2000)}`,
      ]) {
        const response = await c.deliver(raw, { [SIGNATURE]: header });
        expect({ header: header.slice(0, 40), status: response.status }).toEqual({ header: header.slice(0, 40), status: 401 });
      }
    });

    test("accepts a header listing several v1 signatures when one matches, and ignores other schemes", async () => {
      const raw = rawDelivery();
      const now = Math.floor(Date.now() / 1000);
      const good = sign(raw, now);
      const header = `t=${now},v0=legacy,v1=${"a".repeat(64)},${good.split(",")[1]}`;
      expect((await c.deliver(raw, { [SIGNATURE]: header })).status).toBe(201);
    });

    test("refuses a signature from a key without a webhook secret: it could not be checked", async () => {
      const raw = rawDelivery();
      const response = await c.t.request("/stitcher/webhook", {
        method: "POST",
        headers: { "x-api-key": keys.a, "content-type": "application/json", [SIGNATURE]: sign(raw) },
        body: raw,
      });
      await expectRefused(response, 401, "ERR_WEBHOOK_SIGNATURE");
    });

    test("checks the caller before reading or verifying anything: no key is 401 ERR_UNAUTHENTICATED", async () => {
      const raw = rawDelivery();
      const response = await c.t.request("/stitcher/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", [SIGNATURE]: sign(raw) },
        body: raw,
      });
      await expectRefused(response, 401, "ERR_UNAUTHENTICATED");
    });

    test("reads the raw body under the body-size cap, even without a Content-Length", async () => {
      const limit = c.t.runtime.loaded.config.server.bodyLimit;
      const big = `{"workspaceId":"${WORKSPACE}","event":"x","data":"${"y".repeat(limit)}"}`;
      const bytes = new TextEncoder().encode(big);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 65_536) controller.enqueue(bytes.slice(at, at + 65_536));
          controller.close();
        },
      });
      const response = await c.t.request("/stitcher/webhook", {
        method: "POST",
        headers: { "x-api-key": keys.chatBot, "content-type": "application/json", [SIGNATURE]: sign(big) },
        body: stream,
      });
      await expectRefused(response, 413, "ERR_BODY_TOO_LARGE");
    });

    test("a body that is not UTF-8 JSON is 400 once the signature holds", async () => {
      for (const raw of ["{not json", new Uint8Array([0x22, 0xff, 0x22])]) {
        const response = await c.t.request("/stitcher/webhook", {
          method: "POST",
          headers: { "x-api-key": keys.chatBot, "content-type": "application/json", [SIGNATURE]: sign(raw) },
          body: raw,
        });
        expect(response.status).toBe(400);
      }
    });

    test("never writes the webhook secret to a log line or an answer", async () => {
      const raw = rawDelivery();
      const refused = await c.deliver(raw, {
        [SIGNATURE]: sign(raw, Math.floor(Date.now() / 1000), "wrong-secret-wrong-secret-wrong"),
      });
      expect(await refused.text()).not.toContain(WEBHOOK_SECRET);
      expect(c.logs.join("\n")).not.toContain(WEBHOOK_SECRET);
    });
  });
}
