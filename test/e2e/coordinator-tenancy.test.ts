// Security issue #24, items 2 and 3, against a real `tessera serve`: Idempotency-Keys are each sender's
// own, a key bound to a workspace reaches no other, and the chat bot's webhook must be signed, once.
// The signature is computed with openssl, exactly as plugins/coordinator/README.md shows a sender doing it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { issueApiKey } from "../support/api-keys";
import { type ServedInstance, serveProcess } from "../support/serve-process";
import { makeTempDir } from "../support/test-runtime";

const issue = (name: string) => issueApiKey(name, "coordinator");
const serviceA = await issue("service-a");
const serviceB = await issue("service-b");
const bound = await issue("bound");
const chatBot = await issue("chat-bot");
const WEBHOOK_SECRET = `whsec_${crypto.randomUUID()}${crypto.randomUUID()}`;

/** The README's recipe: printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$secret" -hex. */
const opensslSignature = async (body: string, timestamp: number): Promise<string> => {
  const child = Bun.spawn(["openssl", "dgst", "-sha256", "-hmac", WEBHOOK_SECRET, "-hex"], { stdin: "pipe", stdout: "pipe" });
  child.stdin.write(`${timestamp}.${body}`);
  await child.stdin.end();
  const out = await new Response(child.stdout).text();
  const hex = /([0-9a-f]{64})\s*$/.exec(out)?.[1];
  if (!hex) throw new Error(`openssl printed no HMAC: ${out}`);
  return `t=${timestamp},v1=${hex}`;
};

const keysSection = (home: string | null) => ({
  enabled: true,
  keys: [
    { name: "service-a", hash: serviceA.hash, scopes: ["coordinator"] },
    { name: "service-b", hash: serviceB.hash, scopes: ["coordinator"] },
    { name: "bound", hash: bound.hash, scopes: ["coordinator"], ...(home === null ? {} : { workspaces: [home] }) },
    { name: "chat-bot", hash: chatBot.hash, scopes: ["coordinator"] },
  ],
  protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
});

describe("coordinator tenancy over HTTP", () => {
  const dir = makeTempDir("e2e-tenancy-");
  let served: ServedInstance;
  let home = "";
  let elsewhere = "";

  beforeAll(async () => {
    // The workspaces exist before the key can be bound to one: made on a first start, bound on the second.
    const first = await serveProcess(
      {
        database: { url: "sqlite:./data/tessera.db" },
        plugins: { "api-key": keysSection(null), coordinator: { enabled: true } },
      },
      { dir },
    );
    await first.cli("users", "create", "--email", "owner@example.com", "--name", "Owner");
    const token = (await first.cli("sessions", "create", "--email", "owner@example.com")).stdout.trim();
    const workspace = async (name: string) => {
      const response = await fetch(`${first.url}/workspaces`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", origin: first.url },
        body: JSON.stringify({ name }),
      });
      return (await response.json()).id as string;
    };
    home = await workspace("Home");
    elsewhere = await workspace("Elsewhere");
    await first.stop();
    served = await serveProcess(
      {
        database: { url: "sqlite:./data/tessera.db" },
        plugins: {
          "api-key": keysSection(home),
          coordinator: { enabled: true, webhookSecrets: { "chat-bot": "${CHAT_BOT_WEBHOOK_SECRET}" } },
        },
      },
      { dir, env: { CHAT_BOT_WEBHOOK_SECRET: WEBHOOK_SECRET } },
    );
  });
  afterAll(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (key: string, method: string, path: string, raw?: string, headers: Record<string, string> = {}) =>
    fetch(`${served.url}${path}`, {
      method,
      headers: { "x-api-key": key, ...(raw === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: raw,
    });
  const call = (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    send(key, method, path, body === undefined ? undefined : JSON.stringify(body), headers);

  test("refuses to let one service's Idempotency-Key block, probe or replay another service's job", async () => {
    const key = { "idempotency-key": "order-43" };
    const squat = await call(serviceB.key, "POST", "/coordinator/jobs", { workspaceId: home, type: "squat" }, key);
    expect(squat.status).toBe(201);
    const mine = await call(serviceA.key, "POST", "/coordinator/jobs", { workspaceId: home, type: "build" }, key);
    expect(mine.status).toBe(201);

    const hook = { workspaceId: home, event: "chat.command", data: { token: "A's payload" } };
    const aJob = await (await call(serviceA.key, "POST", "/stitcher/webhook", hook, key)).json();
    const stolen = await call(serviceB.key, "POST", "/stitcher/webhook", hook, key);
    expect(stolen.status).toBe(201);
    expect(stolen.headers.get("idempotent-replayed")).toBeNull();
    expect((await stolen.json()).id).not.toBe(aJob.id);
  });

  test("refuses a bound key that fails another workspace's job (404) or creates there (403)", async () => {
    const theirs = await (
      await call(serviceA.key, "POST", "/coordinator/jobs", { workspaceId: elsewhere, type: "build" })
    ).json();
    const fail = await call(bound.key, "POST", `/coordinator/jobs/${theirs.id}/fail`, { error: "sabotage" });
    expect(fail.status).toBe(404);
    expect((await call(bound.key, "GET", `/coordinator/jobs/${theirs.id}`)).status).toBe(404);
    const job = await (await call(serviceA.key, "GET", `/coordinator/jobs/${theirs.id}`)).json();
    expect(job.status).toBe("pending");

    const create = await call(bound.key, "POST", "/coordinator/jobs", { workspaceId: elsewhere, type: "build" });
    expect(create.status).toBe(403);
    expect((await call(bound.key, "POST", "/coordinator/jobs", { workspaceId: home, type: "build" })).status).toBe(201);
  });

  test("refuses an unsigned or replayed webhook delivery from the chat bot's key; accepts one signed with openssl", async () => {
    const raw = `{"workspaceId": "${home}", "event": "chat.command", "data": {"text": "/deploy"}}`;
    const unsigned = await send(chatBot.key, "POST", "/stitcher/webhook", raw);
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).code).toBe("ERR_WEBHOOK_SIGNATURE");

    const signature = await opensslSignature(raw, Math.floor(Date.now() / 1000));
    const signed = await send(chatBot.key, "POST", "/stitcher/webhook", raw, { "x-tessera-signature": signature });
    expect(signed.status).toBe(201);
    const replayed = await send(chatBot.key, "POST", "/stitcher/webhook", raw, { "x-tessera-signature": signature });
    expect(replayed.status).toBe(409);
    expect((await replayed.json()).code).toBe("ERR_WEBHOOK_REPLAY");
    const stale = await send(chatBot.key, "POST", "/stitcher/webhook", raw, {
      "x-tessera-signature": await opensslSignature(raw, Math.floor(Date.now() / 1000) - 600),
    });
    expect(stale.status).toBe(401);
    expect(served.output()).not.toContain(WEBHOOK_SECRET);
  });

  test("the OpenAPI document describes the webhook's signature header", async () => {
    const doc = await (await fetch(`${served.url}/openapi`)).json();
    const operation = doc.paths["/stitcher/webhook"].post;
    expect(JSON.stringify(operation)).toContain("X-Tessera-Signature");
  });
});
