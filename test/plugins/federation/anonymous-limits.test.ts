// Requests anyone may send that leave state behind: a federated sign-in start (a pending sign-in in the
// kv table) and a connection.request (a replay marker and a pending peer). Each client address gets a
// bounded number a minute, and pending sign-ins can't outgrow their bound whatever the number of addresses.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { like } from "drizzle-orm";
import { type FakePeer, makePeer } from "./support/fake-peer";
import { FAKE_PEER_HOST, type Spoke, startSpoke } from "./support/spoke-runtime";

const pendingSignIns = async (spoke: Spoke): Promise<{ key: string; value: string }[]> => {
  const { db } = spoke.runtime;
  return db.orm.select().from(db.tables.kv).where(like(db.tables.kv.key, "fed-sign-in:flow:%"));
};

const peerCount = async (spoke: Spoke) => {
  const { db } = spoke.runtime;
  return (await db.orm.select().from(db.tables.federationPeers)).length;
};

describe("federated sign-in start, under a flood", () => {
  let spoke: Spoke;
  let peerId: string;
  const MAX_PENDING = 5;

  beforeAll(async () => {
    // A per-address allowance far above the bound: what is measured is the bound itself.
    spoke = await startSpoke({ federation: { guests: { signInsPerMinute: 1000, maxPendingSignIns: MAX_PENDING } } });
    const peer = await makePeer(`http://${FAKE_PEER_HOST}`);
    await spoke.addPeer(peer);
    peerId = peer.id;
  });
  afterAll(() => spoke.close());

  test("an anonymous flood of sign-in starts does not grow the pending sign-ins past their bound", async () => {
    const before = (await pendingSignIns(spoke)).length;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await spoke.request(`/auth/federated/${peerId}?returnTo=/x${i}`)).status);
    expect(before).toBe(0);
    expect((await pendingSignIns(spoke)).length).toBe(MAX_PENDING);
    expect(statuses.filter((status) => status === 302)).toHaveLength(MAX_PENDING);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - MAX_PENDING);
    const refused = await spoke.request(`/auth/federated/${peerId}`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.json()).toMatchObject({ code: "ERR_RATE_LIMITED" });
  });

  test("a completed or expired sign-in frees its place", async () => {
    const { db } = spoke.runtime;
    await db.orm
      .update(db.tables.kv)
      .set({ expiresAt: Date.now() - 1 })
      .where(like(db.tables.kv.key, "fed-sign-in:flow:%"));
    expect((await spoke.request(`/auth/federated/${peerId}`)).status).toBe(302);
    expect((await pendingSignIns(spoke)).length).toBe(1);
  });

  test("stores a normalised returnTo of bounded length, never the 2 KB sent", async () => {
    const { db } = spoke.runtime;
    await db.orm.delete(db.tables.kv).where(like(db.tables.kv.key, "fed-sign-in:flow:%"));
    const long = `/${"a".repeat(2040)}`;
    expect((await spoke.request(`/auth/federated/${peerId}?returnTo=${long}`)).status).toBe(302);
    expect((await spoke.request(`/auth/federated/${peerId}?returnTo=/.//evil.example/x`)).status).toBe(302);
    const stored = (await pendingSignIns(spoke)).map((row) => JSON.parse(row.value).returnTo);
    expect(stored).toEqual(["/", "/"]);
  });
});

describe("federated sign-in start, per client address", () => {
  let spoke: Spoke;
  let peerId: string;

  beforeAll(async () => {
    spoke = await startSpoke({ federation: { guests: { signInsPerMinute: 3 } } });
    const peer = await makePeer(`http://${FAKE_PEER_HOST}`);
    await spoke.addPeer(peer);
    peerId = peer.id;
  });
  afterAll(() => spoke.close());

  test("refuses an anonymous flood of sign-in starts from one address with 429 and Retry-After, storing nothing", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await spoke.request(`/auth/federated/${peerId}`)).status);
    const before = (await pendingSignIns(spoke)).length;
    const refused = await spoke.request(`/auth/federated/${peerId}`);
    expect(statuses).toEqual([302, 302, 302]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: "ERR_RATE_LIMITED" });
    expect((await pendingSignIns(spoke)).length).toBe(before);
  });

  test("probing for peer ids spends the same allowance", async () => {
    expect((await spoke.request("/auth/federated/no-such-peer")).status).toBe(429);
  });
});

describe("connection.request, per client address", () => {
  let spoke: Spoke;
  let server: ReturnType<typeof Bun.serve>;
  // A request must name a URL that publishes its keys: each fake instance lives under its own path.
  const published = new Map<string, FakePeer>();

  beforeAll(async () => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request) => {
        const peer = published.get(new URL(request.url).pathname.replace("/.well-known/tessera", ""));
        return peer ? Response.json(peer.document()) : new Response("not here", { status: 404 });
      },
    });
    const allowedHosts = [FAKE_PEER_HOST, `127.0.0.1:${server.port}`];
    spoke = await startSpoke({ federation: { peers: { allowedHosts, requestsPerMinute: 2 } } });
  });
  afterAll(async () => {
    server.stop(true);
    await spoke.close();
  });

  const ask = async () => {
    const name = crypto.randomUUID();
    const peer = await makePeer(`http://127.0.0.1:${server.port}/${name}`);
    published.set(`/${name}`, peer);
    const { jws } = await peer.sign(spoke.id, { instance: peer.document() }, { claims: { type: "connection.request" } });
    return spoke.inbox(jws);
  };

  test("refuses a flood of peering requests from one address with 429 and Retry-After, storing no peer", async () => {
    expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(200);
    expect(await peerCount(spoke)).toBe(2);
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: "ERR_RATE_LIMITED" });
    expect(await peerCount(spoke)).toBe(2);
  });

  test("messages from peers other than connection requests are not limited by it", async () => {
    const peer = await makePeer(`http://${FAKE_PEER_HOST}`);
    await spoke.addPeer(peer);
    const { jws } = await peer.sign(spoke.id, { name: "agent.list", commandId: "l", args: {} });
    expect((await spoke.inbox(jws)).status).toBe(200);
  });
});
