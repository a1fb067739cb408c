// A peer's guest, shared into a workspace as member, against this instance's agents: it acts within
// its peer's grants here (commands and agent types), whatever role the share gave it, and never
// reaches another peer through this instance.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { requireGuestGrant } from "../../../plugins/federation/agents/agent-access";
import { PeerCache } from "../../../plugins/federation/peers/peer-cache";
import { findPeer, updatePeer } from "../../../plugins/federation/peers/peer-store";
import { shareWorkspace } from "../../../plugins/federation/sign-in/shares";
import { type FakePeer, makePeer } from "./support/fake-peer";
import { FAKE_PEER_HOST, type Spoke, startSpoke } from "./support/spoke-runtime";

describe("a guest of a peer, as member of a shared workspace", () => {
  let spoke: Spoke;
  let home: FakePeer;
  let other: FakePeer;
  let guest: string;

  beforeAll(async () => {
    spoke = await startSpoke();
    [home, other] = await Promise.all([makePeer(`http://${FAKE_PEER_HOST}`), makePeer(`http://${FAKE_PEER_HOST}`)]);
    // The guest's home instance may only list agents here; the other peer is one this instance may use.
    await spoke.addPeer(home, { commands: ["agent.list"], agentTypes: [] });
    await spoke.addPeer(other);
    const { db } = spoke.runtime;
    const user = await createUser(db, { name: "Guest (home)", guestOf: home.id });
    await db.orm
      .insert(db.tables.identities)
      .values({ issuer: home.id, subject: "guest-1", userId: user.id, createdAt: Date.now() });
    await shareWorkspace(db, spoke.workspaceId, home.id, "member");
    guest = (await createSession(db, user.id, { ttlMs: 3_600_000, issuer: home.id })).token;
  });
  afterAll(() => spoke.close());

  const asGuest = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${guest}`);
    if (typeof init.body === "string") headers.set("content-type", "application/json");
    return spoke.request(path, { ...init, headers });
  };
  const spawn = (agentType: string) =>
    asGuest("/agents", { method: "POST", body: JSON.stringify({ workspaceId: spoke.workspaceId, agentType, input: null }) });
  const grant = async (commands: string[], agentTypes: string[]) => {
    const response = await spoke.request(`/federation/peers/${home.id}/grants`, {
      method: "PUT",
      as: "admin",
      body: JSON.stringify({ commands, agentTypes }),
    });
    expect(response.status).toBe(200);
  };

  test("refuses a guest spawning an agent when its peer was not granted agent.spawn here", async () => {
    const before = await spoke.agentCount();
    const response = await spawn("echo");
    expect(response.status).toBe(403);
    expect((await response.json()).code).toBe("ERR_FED_NOT_GRANTED");
    expect(await spoke.agentCount()).toBe(before);
  });

  test("refuses a guest spawning an agent type its peer was not granted, allows the granted one", async () => {
    await grant(["agent.spawn", "agent.list"], ["echo"]);
    const refused = await spawn("sleeper");
    expect(refused.status).toBe(403);
    expect((await refused.json()).code).toBe("ERR_FED_NOT_GRANTED");
    expect((await spawn("echo")).status).toBe(201);
  });

  test("refuses a guest reading or killing an agent when its peer lacks agent.status or agent.kill", async () => {
    const member = await spoke.request("/agents", {
      method: "POST",
      as: "member",
      body: JSON.stringify({ workspaceId: spoke.workspaceId, agentType: "sleeper", input: { seconds: 5 } }),
    });
    const agent = await member.json();
    expect((await asGuest(`/agents/${agent.id}`)).status).toBe(403);
    const kill = await asGuest(`/agents/${agent.id}/kill`, { method: "POST" });
    expect(kill.status).toBe(403);
    expect((await kill.json()).code).toBe("ERR_FED_NOT_GRANTED");
    await spoke.request(`/agents/${agent.id}/kill`, { method: "POST", as: "member" });
  });

  test("refuses a guest spawning on another peer through this instance (no relay)", async () => {
    await grant(["agent.spawn", "agent.status", "agent.kill", "agent.list"], ["echo", "sleeper"]);
    const response = await asGuest(`/federation/peers/${other.id}/agents`, {
      method: "POST",
      body: JSON.stringify({ workspaceId: spoke.workspaceId, agentType: "echo", input: null }),
    });
    expect(response.status).toBe(403);
    expect((await response.json()).code).toBe("ERR_FED_GUEST_RELAY");
    const listed = await asGuest(`/federation/peers/${other.id}/agents?workspaceId=${spoke.workspaceId}`);
    expect(listed.status).toBe(403);
  });

  test("a guest whose peer is suspended may use no agents here", async () => {
    const peer = await findPeer(spoke.runtime.db, home.id);
    if (!peer) throw new Error("the home peer is gone");
    await updatePeer(spoke.runtime.db, peer, { status: "suspended" });
    // Suspending through the API also ends the guest's sessions; this checks the grant rule on its own.
    await expect(requireGuestGrant(new PeerCache(spoke.runtime.db), { guestOf: home.id }, "agent.list")).rejects.toMatchObject({
      code: "ERR_FED_NOT_GRANTED",
    });
  });

  test("users of this instance are not limited by any peer's grants", async () => {
    const response = await spoke.request("/agents", {
      method: "POST",
      as: "member",
      body: JSON.stringify({ workspaceId: spoke.workspaceId, agentType: "echo", input: null }),
    });
    expect(response.status).toBe(201);
  });
});
