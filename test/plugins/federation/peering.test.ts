// Peering as the spoke sees it: a signed connection.request is stored pending with no grants, its
// admin's accept checks that the instance at the request's URL really holds the signing key, and only
// then do the peer's commands run. Peer routes are for instance administrators only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { getAgent } from "../../../plugins/federation/agents/agent-store";
import { type FakePeer, makePeer, readResponse } from "./support/fake-peer";
import { type Spoke, startSpoke } from "./support/spoke-runtime";

describe("peering, on the side that is asked", () => {
  let spoke: Spoke;
  let server: Server<undefined>;
  // What the fake instance's URL serves as its identity document.
  let published: FakePeer;
  let base: string;
  let spokeKey: Record<string, unknown>;

  beforeAll(async () => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request) =>
        new URL(request.url).pathname === "/.well-known/tessera"
          ? Response.json(published.document())
          : new Response("not here", { status: 404 }),
    });
    base = `http://127.0.0.1:${server.port}`;
    spoke = await startSpoke({ federation: { peers: { allowedHosts: ["127.0.0.1:*"], maxPending: 3 } } });
    spokeKey = (await (await spoke.request("/.well-known/tessera")).json()).keys[0];
  });
  afterAll(async () => {
    server.stop(true);
    await spoke.close();
  });

  const request = async (peer: FakePeer) => {
    const { jws } = await peer.sign(spoke.id, { instance: peer.document() }, { claims: { type: "connection.request" } });
    return spoke.inbox(jws);
  };
  const peerOf = async (id: string) => (await spoke.request(`/federation/peers/${id}`, { as: "admin" })).json();
  const list = { name: "agent.list", commandId: "l", args: {} };

  test("a connection.request is stored pending with no grants and answered with a signed response", async () => {
    const peer = await makePeer(base);
    published = peer;
    const response = await request(peer);
    expect(response.status).toBe(200);
    const claims = await readResponse(await response.text(), spokeKey);
    expect(claims.body).toMatchObject({ ok: true, result: { status: "pending" } });
    expect(await peerOf(peer.id)).toMatchObject({ status: "pending", url: base, grants: { commands: [], agentTypes: [] } });
    // Pending is not active: its commands are refused.
    const command = await spoke.inbox((await peer.sign(spoke.id, list)).jws);
    expect((await command.json()).code).toBe("ERR_FED_PEER");
  });

  test("a request in another instance's name is refused; accepting checks the key at the URL again", async () => {
    const impostor = await makePeer(base);
    published = await makePeer(base, impostor.id);
    const refused = await request(impostor);
    expect(refused.status).toBe(403);
    expect((await refused.json()).code).toBe("ERR_FED_PEER");
    expect((await spoke.request(`/federation/peers/${impostor.id}`, { as: "admin" })).status).toBe(404);

    // The URL held the key when the request came, and another one by the time the admin accepts.
    const peer = await makePeer(base);
    published = peer;
    expect((await request(peer)).status).toBe(200);
    published = await makePeer(base, peer.id);
    const accepted = await spoke.request(`/federation/peers/${peer.id}/accept`, { method: "POST", as: "admin" });
    expect(accepted.status).toBe(409);
    expect((await accepted.json()).code).toBe("ERR_FED_PEER");
    expect((await peerOf(peer.id)).status).toBe("pending");
  });

  test("accepting with grants makes the peer active and its granted commands run", async () => {
    const peer = await makePeer(base);
    published = peer;
    await request(peer);
    const accepted = await spoke.request(`/federation/peers/${peer.id}/accept`, {
      method: "POST",
      as: "admin",
      body: JSON.stringify({ grants: { commands: ["agent.list"], agentTypes: [] } }),
    });
    expect(accepted.status).toBe(200);
    // The fake instance has no inbox, so the accept could not be delivered now (it waits in the outbox).
    expect(await accepted.json()).toMatchObject({ status: "active", notified: false });
    const command = await spoke.inbox((await peer.sign(spoke.id, list)).jws);
    expect(command.status).toBe(200);
  });

  test("grants, suspension and disconnection take effect at once; disconnecting kills the peer's agents", async () => {
    const peer = await makePeer(base);
    published = peer;
    await request(peer);
    await spoke.request(`/federation/peers/${peer.id}/accept`, { method: "POST", as: "admin" });
    const send = async (body: object) => spoke.inbox((await peer.sign(spoke.id, body)).jws);
    const sleeper = () => ({
      name: "agent.spawn",
      commandId: crypto.randomUUID(),
      args: { agentType: "sleeper", input: { seconds: 30 } },
    });
    expect((await (await send(sleeper())).json()).code).toBe("ERR_FED_NOT_GRANTED");

    const grants = { commands: ["agent.spawn", "agent.status"], agentTypes: ["sleeper"] };
    const put = await spoke.request(`/federation/peers/${peer.id}/grants`, {
      method: "PUT",
      as: "admin",
      body: JSON.stringify(grants),
    });
    expect(await put.json()).toMatchObject({ grants });
    const spawned = await readResponse(await (await send(sleeper())).text(), spokeKey);
    const agentId: string = spawned.body.result.agentId;

    await spoke.request(`/federation/peers/${peer.id}/suspend`, { method: "POST", as: "admin" });
    expect((await (await send(list)).json()).code).toBe("ERR_FED_PEER");
    await spoke.request(`/federation/peers/${peer.id}/accept`, { method: "POST", as: "admin" });
    const status = { name: "agent.status", commandId: "s", args: { agentId } };
    expect((await readResponse(await (await send(status)).text(), spokeKey)).body.result.status).toBe("running");

    const disconnected = await spoke.request(`/federation/peers/${peer.id}/disconnect`, { method: "POST", as: "admin" });
    expect((await disconnected.json()).status).toBe("disconnected");
    expect((await (await send(status)).json()).code).toBe("ERR_FED_PEER");
    expect((await getAgent(spoke.runtime.db, agentId))?.status).toBe("killed");
  });

  test("a request from a host peers may not live on is refused", async () => {
    const elsewhere = await makePeer(`http://localhost:${server.port}`);
    const response = await request(elsewhere);
    expect(response.status).toBe(403);
    expect((await response.json()).code).toBe("ERR_FED_NOT_GRANTED");
  });

  test("unanswered requests are capped: past maxPending the sender is told to come back later", async () => {
    const pending = (await (await spoke.request("/federation/peers", { as: "admin" })).json()).peers.filter(
      (peer: { status: string }) => peer.status === "pending",
    ).length;
    const publishedPeer = async () => {
      published = await makePeer(base);
      return published;
    };
    for (let i = pending; i < 3; i++) expect((await request(await publishedPeer())).status).toBe(200);
    const refused = await request(await publishedPeer());
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("3600");
  });

  test("adding a peer on a host outside allowedHosts is 403 naming the setting", async () => {
    const response = await spoke.request("/federation/peers", {
      method: "POST",
      as: "admin",
      body: JSON.stringify({ url: "https://evil.example.com" }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "ERR_FED_NOT_GRANTED", path: "plugins.federation.peers.allowedHosts" });
  });

  test("peer routes are for instance administrators only", async () => {
    for (const [method, path] of [
      ["GET", "/federation/peers"],
      ["POST", "/federation/peers"],
      ["POST", "/federation/peers/x/accept"],
      ["POST", "/federation/peers/x/suspend"],
      ["POST", "/federation/peers/x/disconnect"],
      ["PUT", "/federation/peers/x/grants"],
      ["POST", "/federation/keys/rotate"],
    ] as const) {
      expect({ path, status: (await spoke.request(path, { method, as: "member" })).status }).toEqual({ path, status: 403 });
      expect({ path, status: (await spoke.request(path, { method })).status }).toEqual({ path, status: 401 });
      if (method === "GET") continue;
      const invalid = await spoke.request(path, { method, as: "member", body: JSON.stringify({ unexpected: 1 }) });
      expect({ path, status: invalid.status }).toEqual({ path, status: 403 });
    }
    expect((await spoke.request("/.well-known/tessera")).status).toBe(200);
  });
});
