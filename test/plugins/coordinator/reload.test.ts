import { afterEach, describe, expect, test } from "bun:test";
import { generateApiKey, hashApiKey } from "../../../plugins/api-key/keyring";
import { logged, reloadWith } from "../../support/reload-runtime";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";
import { sign } from "./tenancy-runtime";

const KEY = generateApiKey();
const OLD_SECRET = `whsec_${generateApiKey()}`;
const NEW_SECRET = `whsec_${generateApiKey()}`;
const WORKSPACE = "ws-reload";

const configWith = (webhookSecrets: Record<string, string>) => ({
  plugins: {
    "api-key": {
      enabled: true,
      keys: [{ name: "chat-bot", hash: hashApiKey(KEY), scopes: ["coordinator"] }],
      protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
    },
    coordinator: { enabled: true, webhookSecrets },
  },
});

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const start = async (logs: string[]) => {
  const runtime = await startTestRuntime(configWith({ "chat-bot": OLD_SECRET }), { logs });
  await runtime.runtime.db.orm
    .insert(runtime.runtime.db.tables.workspaces)
    .values({ id: WORKSPACE, name: "Home", createdAt: Date.now() });
  t = runtime;
  const deliver = (secret: string) => {
    const raw = JSON.stringify({ event: "chat.command", workspaceId: WORKSPACE, data: { n: crypto.randomUUID() } });
    return runtime.request("/stitcher/webhook", {
      method: "POST",
      headers: { "x-api-key": KEY, "content-type": "application/json", "x-tessera-signature": sign(raw, undefined, secret) },
      body: raw,
    });
  };
  return { runtime, deliver };
};

describe("reloading the coordinator plugin", () => {
  test("a rotated webhook secret signs the next delivery; the old one is refused", async () => {
    const { runtime, deliver } = await start([]);
    expect((await deliver(OLD_SECRET)).status).toBe(201);

    await reloadWith(runtime, configWith({ "chat-bot": NEW_SECRET }));
    expect((await deliver(NEW_SECRET)).status).toBe(201);
    const refused = await deliver(OLD_SECRET);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "ERR_WEBHOOK_SIGNATURE" });
  });

  test("a secret the schema refuses changes nothing", async () => {
    const logs: string[] = [];
    const { runtime, deliver } = await start(logs);

    await reloadWith(runtime, configWith({ "chat-bot": "too-short" }));
    const [failure] = logged(logs, "config reload failed: keeping the running config");
    expect(JSON.stringify(failure)).toContain("plugins.coordinator.webhookSecrets");
    expect((await deliver(OLD_SECRET)).status).toBe(201);
  });
});
