import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createUser } from "../../../core/identity/users";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";
import { attemptUpgrade, openProbe } from "./support/probe";

// Stand-ins for what other plugins register in the core's principal chain: the oidc plugin's IdP
// access tokens (a user, with the token's expiry) and the api-key plugin's service keys.
const ACCESS_TOKEN = "eyJ.idp-access-token.sig";
const SERVICE_KEY = "svc_bench-service-key";

let t: TestRuntime;
let url: string;
let userId: string;
const expiresAt = Date.now() + 3_600_000;
beforeAll(async () => {
  t = await startTestRuntime({ plugins: { websocket: { enabled: true } } });
  const user = await createUser(t.runtime.db, { email: "idp-user@example.com" });
  userId = user.id;
  t.runtime.auth.register("test-idp", (request) =>
    request.headers.get("authorization") === `Bearer ${ACCESS_TOKEN}`
      ? { kind: "user", user, isAdmin: false, expiresAt, via: "token" }
      : null,
  );
  t.runtime.auth.register("test-keys", (request) =>
    request.headers.get("authorization") === `Bearer ${SERVICE_KEY}` ? { kind: "service", name: "bench", scopes: [] } : null,
  );
  t.runtime.app.listen({ port: 0, hostname: "127.0.0.1" });
  url = `ws://127.0.0.1:${t.runtime.app.server?.port}/ws`;
});
afterAll(async () => {
  await t.close();
  await t.runtime.app.stop(true);
});

describe("websocket authentication through the principal chain", () => {
  test("an IdP access token at upgrade opens a socket as its user, ending with the token's expiry", async () => {
    const socket = await openProbe(url, { headers: { authorization: `Bearer ${ACCESS_TOKEN}` } });
    expect(await socket.next("ready")).toEqual({ type: "ready", userId, expiresAt });
    socket.close();
  });

  test("an IdP access token in an auth message authenticates too", async () => {
    const socket = await openProbe(url);
    socket.send({ type: "auth", token: ACCESS_TOKEN });
    expect(await socket.next("ready")).toEqual({ type: "ready", userId, expiresAt });
    socket.close();
  });

  test("a service's credential is refused: 403 at upgrade, 4403 after an auth message", async () => {
    const refused = await attemptUpgrade(url, { authorization: `Bearer ${SERVICE_KEY}` });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "ERR_FORBIDDEN" });

    const socket = await openProbe(url);
    socket.send({ type: "auth", token: SERVICE_KEY });
    expect((await socket.closed).code).toBe(4403);
    expect(socket.messages).toEqual([expect.objectContaining({ type: "error", code: "forbidden" })]);
  });
});
