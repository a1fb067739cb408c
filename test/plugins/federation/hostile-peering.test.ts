// The peering queue against a hostile instance: a connection.request must prove its URL (the instance
// there publishes the same id and keys), can't take over another instance's place in the queue, and
// leaves nothing behind (no replay row, no peer row) when it is refused. A known peer that asks again
// starts from nothing: no grants, no workspace shares, and the admin sees what changed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { savePeer } from "../../../plugins/federation/peers/peer-store";
import { listShares, shareWorkspace } from "../../../plugins/federation/sign-in/shares";
import { type FakePeer, makePeer } from "./support/fake-peer";
import { type Spoke, startSpoke } from "./support/spoke-runtime";

describe("a hostile instance asking to peer", () => {
  let spoke: Spoke;
  let server: Server;
  // What each path prefix of the fake host publishes as its identity document.
  const published = new Map<string, FakePeer>();
  let base: string;

  type Server = ReturnType<typeof Bun.serve>;

  // A fake instance's inbox takes any connection.request with a signed "pending".
  const inboxAnswer = async (path: string, jws: string) => {
    const peer = published.get(path.replace("/federation/v1/inbox", ""));
    if (!peer) return new Response("not here", { status: 404 });
    const claims = JSON.parse(Buffer.from(jws.split(".")[1] ?? "", "base64url").toString());
    const body = { re: claims.jti, ok: true, result: { status: "pending" } };
    const signed = await peer.sign(claims.iss, body, { claims: { type: "response" } });
    return new Response(signed.jws, { headers: { "content-type": "application/jose" } });
  };

  beforeAll(async () => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (request) => {
        const path = new URL(request.url).pathname;
        if (path.endsWith("/federation/v1/inbox")) return inboxAnswer(path, await request.text());
        const prefix = path.slice(0, path.indexOf("/.well-known/tessera"));
        const peer = path.endsWith("/.well-known/tessera") ? published.get(prefix) : undefined;
        return peer ? Response.json(peer.document()) : new Response("not here", { status: 404 });
      },
    });
    base = `http://127.0.0.1:${server.port}`;
    spoke = await startSpoke({
      federation: { peers: { allowedHosts: ["127.0.0.1:*"], maxPending: 3, requestsPerMinute: 1000 } },
    });
  });
  afterAll(async () => {
    server.stop(true);
    await spoke.close();
  });

  /** A fake instance at base/<name> that publishes its own document there. */
  const honest = async (name = crypto.randomUUID()) => {
    const peer = await makePeer(`${base}/${name}`);
    published.set(`/${name}`, peer);
    return peer;
  };
  const ask = async (peer: FakePeer, document: Record<string, unknown> = peer.document()) => {
    const { jws, jti } = await peer.sign(spoke.id, { instance: document }, { claims: { type: "connection.request" } });
    return { response: await spoke.inbox(jws), jti };
  };
  const replayRows = async (jti: string) => {
    const { db } = spoke.runtime;
    const { federationMessages } = db.tables;
    return (await db.orm.select().from(federationMessages).where(eq(federationMessages.jti, jti))).length;
  };
  const peerRow = async (id: string) => (await spoke.request(`/federation/peers/${id}`, { as: "admin" })).json();
  const peerExists = async (id: string) => (await spoke.request(`/federation/peers/${id}`, { as: "admin" })).status === 200;
  const pendingCount = async () =>
    (await (await spoke.request("/federation/peers", { as: "admin" })).json()).peers.filter(
      (peer: { status: string }) => peer.status === "pending",
    ).length;

  test("refuses a self-signed request for an allowed host that does not publish its keys, storing nothing", async () => {
    // Nothing is published under this name: the host is allowed, the instance is not there.
    const forger = await makePeer(`${base}/nobody-${crypto.randomUUID()}`);
    const { response, jti } = await ask(forger);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await replayRows(jti)).toBe(0);
    expect(await peerExists(forger.id)).toBe(false);
  });

  test("refuses a request whose URL publishes another key for the same id, storing nothing", async () => {
    const real = await honest();
    const forger = await makePeer(real.url, real.id);
    const { response, jti } = await ask(forger);
    expect(response.status).toBe(403);
    expect((await response.json()).code).toBe("ERR_FED_PEER");
    expect(await replayRows(jti)).toBe(0);
    expect(await peerExists(real.id)).toBe(false);
  });

  test("refuses a flood of forged requests: the queue stays open for real peers", async () => {
    for (let i = 0; i < 6; i++) {
      const forger = await makePeer(`${base}/flood-${i}`);
      expect((await ask(forger)).response.status).toBeGreaterThanOrEqual(400);
    }
    expect(await pendingCount()).toBe(0);
    const real = await honest();
    expect((await ask(real)).response.status).toBe(200);
    expect(await peerRow(real.id)).toMatchObject({ status: "pending", url: real.url });
  });

  test("refuses a stranger re-using a pending peer's iss: the pending peer keeps its URL and keys", async () => {
    const real = await honest();
    expect((await ask(real)).response.status).toBe(200);
    // The stranger runs another allowed URL and publishes the victim's id there with its own key.
    const name = crypto.randomUUID();
    const stranger = await makePeer(`${base}/${name}`, real.id);
    published.set(`/${name}`, stranger);
    const { response, jti } = await ask(stranger);
    expect(response.status).toBe(409);
    expect((await response.json()).code).toBe("ERR_FED_PEER");
    expect(await replayRows(jti)).toBe(0);
    const kept = await peerRow(real.id);
    expect(kept).toMatchObject({ status: "pending", url: real.url });
    expect(kept.keys).toEqual([{ kid: real.key.kid }]);
  });

  test("refuses a stranger re-using a requested peer's iss: the URL and keys this side pinned stay", async () => {
    const real = await honest();
    const now = Date.now();
    await savePeer(spoke.runtime.db, {
      id: real.id,
      url: real.url,
      name: "asked",
      status: "requested",
      keys: [real.key.jwk],
      grants: { commands: [], agentTypes: [] },
      createdAt: now,
      updatedAt: now,
    });
    const name = crypto.randomUUID();
    const stranger = await makePeer(`${base}/${name}`, real.id);
    published.set(`/${name}`, stranger);
    expect((await ask(stranger)).response.status).toBe(409);
    expect(await peerRow(real.id)).toMatchObject({ status: "requested", url: real.url, keys: [{ kid: real.key.kid }] });
  });

  test("a request refused because the queue is full writes no replay row and no peer", async () => {
    for (let pending = await pendingCount(); pending < 3; pending++)
      expect((await ask(await honest())).response.status).toBe(200);
    const late = await honest();
    const { response, jti } = await ask(late);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3600");
    expect(await replayRows(jti)).toBe(0);
    expect(await peerExists(late.id)).toBe(false);
  });

  test("a disconnected peer that asks again starts from nothing and is shown as returning", async () => {
    // Room in the queue for the returning peer.
    for (const peer of (await (await spoke.request("/federation/peers", { as: "admin" })).json()).peers) {
      if (peer.status === "pending")
        await spoke.request(`/federation/peers/${peer.id}/disconnect`, { method: "POST", as: "admin" });
    }
    const old = await honest();
    expect((await ask(old)).response.status).toBe(200);
    const grants = { commands: ["agent.list"], agentTypes: ["echo"] };
    const accepted = await spoke.request(`/federation/peers/${old.id}/accept`, {
      method: "POST",
      as: "admin",
      body: JSON.stringify({ grants }),
    });
    expect(accepted.status).toBe(200);
    expect((await accepted.json()).returning).toBeUndefined();
    await shareWorkspace(spoke.runtime.db, spoke.workspaceId, old.id, "member");
    await spoke.request(`/federation/peers/${old.id}/disconnect`, { method: "POST", as: "admin" });

    // Someone now answers for that id from another allowed URL, with other keys.
    const name = crypto.randomUUID();
    const returning = await makePeer(`${base}/${name}`, old.id);
    published.set(`/${name}`, returning);
    expect((await ask(returning)).response.status).toBe(200);
    const peer = await peerRow(old.id);
    expect(peer).toMatchObject({
      status: "pending",
      url: returning.url,
      grants: { commands: [], agentTypes: [] },
      returning: { previousUrl: old.url, previousStatus: "disconnected", keysChanged: true },
    });
    expect((await listShares(spoke.runtime.db, spoke.workspaceId)).filter((share) => share.peerId === old.id)).toEqual([]);

    // Accepting it without grants gives it nothing; the returning note is gone once an admin decided.
    const again = await spoke.request(`/federation/peers/${old.id}/accept`, { method: "POST", as: "admin" });
    expect(await again.json()).toMatchObject({ status: "active", grants: { commands: [], agentTypes: [] } });
    expect((await peerRow(old.id)).returning).toBeUndefined();
  });

  test("an admin re-adding a disconnected peer gives it none of its old grants or shares", async () => {
    const old = await honest();
    const now = Date.now();
    await savePeer(spoke.runtime.db, {
      id: old.id,
      url: old.url,
      name: "old",
      status: "disconnected",
      keys: [old.key.jwk],
      grants: { commands: ["agent.spawn"], agentTypes: ["echo"] },
      createdAt: now,
      updatedAt: now,
    });
    await shareWorkspace(spoke.runtime.db, spoke.workspaceId, old.id, "member");
    const added = await spoke.request("/federation/peers", {
      method: "POST",
      as: "admin",
      body: JSON.stringify({ url: old.url }),
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ status: "requested", grants: { commands: [], agentTypes: [] } });
    expect((await listShares(spoke.runtime.db, spoke.workspaceId)).filter((share) => share.peerId === old.id)).toEqual([]);
  });
});
