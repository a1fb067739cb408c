// A runtime with several services on the coordinator: two unbound keys (A and B), a key bound to one
// workspace, and a chat bot whose webhook deliveries must be signed. Two workspaces with fixed ids, so
// the bound key's config can name one before the runtime starts.
import { createHmac } from "node:crypto";
import { generateApiKey, hashApiKey } from "../../../plugins/api-key/keyring";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

export const WORKSPACE = "ws-tenant-home";
export const ELSEWHERE = "ws-tenant-elsewhere";
export const WEBHOOK_SECRET = `whsec_${generateApiKey()}`;

export const keys = {
  a: generateApiKey(),
  b: generateApiKey(),
  bound: generateApiKey(),
  chatBot: generateApiKey(),
};

export type KeyName = keyof typeof keys;

/** Stripe-style: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">. */
export const sign = (body: string | Uint8Array, timestamp = Math.floor(Date.now() / 1000), secret = WEBHOOK_SECRET): string =>
  `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;

export interface TenancyRuntime {
  t: TestRuntime;
  logs: string[];
  /** Calls as the service holding `key`, JSON in and out. */
  call(key: KeyName, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Posts exactly `raw` to the webhook as the chat bot. */
  deliver(raw: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export const startTenancy = async (databaseUrl = "sqlite::memory:"): Promise<TenancyRuntime> => {
  const logs: string[] = [];
  const t = await startTestRuntime(
    {
      database: { url: databaseUrl },
      plugins: {
        "api-key": {
          enabled: true,
          keys: [
            { name: "service-a", hash: hashApiKey(keys.a), scopes: ["coordinator"] },
            { name: "service-b", hash: hashApiKey(keys.b), scopes: ["coordinator"] },
            { name: "bound", hash: hashApiKey(keys.bound), scopes: ["coordinator"], workspaces: [WORKSPACE] },
            { name: "chat-bot", hash: hashApiKey(keys.chatBot), scopes: ["coordinator"] },
          ],
          protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
        },
        coordinator: { enabled: true, webhookSecrets: { "chat-bot": "${CHAT_BOT_WEBHOOK_SECRET}" } },
      },
    },
    { env: { CHAT_BOT_WEBHOOK_SECRET: WEBHOOK_SECRET }, logs },
  );
  const { workspaces } = t.runtime.db.tables;
  await t.runtime.db.orm.insert(workspaces).values([
    { id: WORKSPACE, name: "Home", createdAt: Date.now() },
    { id: ELSEWHERE, name: "Elsewhere", createdAt: Date.now() },
  ]);
  const post = (key: KeyName, method: string, path: string, raw: string | undefined, headers: Record<string, string>) =>
    t.request(path, {
      method,
      headers: { "x-api-key": keys[key], ...(raw === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: raw,
    });
  return {
    t,
    logs,
    call: (key, method, path, body, headers = {}) =>
      post(key, method, path, body === undefined ? undefined : JSON.stringify(body), headers),
    deliver: (raw, headers = {}) => post("chatBot", "POST", "/stitcher/webhook", raw, headers),
    close: () => t.close(),
  };
};
