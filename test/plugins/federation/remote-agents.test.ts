// A hub's mirrors of agents on a peer: the peer's signed reports move them forward (never back) and go
// out on the workspace's stream; a peer that stays silent leaves them lost, a suspended one does not.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { WorkspaceEvent } from "../../../core/events/event-bus";
import { getAgent, insertAgent } from "../../../plugins/federation/agents/agent-store";
import { type FederationConfig, FederationConfigSchema } from "../../../plugins/federation/config";
import { createFederation } from "../../../plugins/federation/create-federation";
import { Reconciler } from "../../../plugins/federation/remote/reconciler";
import { type FakePeer, makePeer } from "./support/fake-peer";
import { FAKE_PEER_HOST, type Spoke, startSpoke } from "./support/spoke-runtime";

const isFederationConfig = (value: unknown): value is FederationConfig => Value.Check(FederationConfigSchema, value);

describe("remote agent mirrors", () => {
  let hub: Spoke;
  let peer: FakePeer;
  let paused: FakePeer;
  const events: WorkspaceEvent[] = [];

  beforeAll(async () => {
    hub = await startSpoke({ federation: { reconcile: { intervalMs: 100, lostAfterMs: 400 } } });
    [peer, paused] = await Promise.all([makePeer(`http://${FAKE_PEER_HOST}`), makePeer(`http://${FAKE_PEER_HOST}`)]);
    await hub.addPeer(peer);
    await hub.addPeer(paused, undefined, "suspended");
    hub.runtime.events.subscribe(hub.workspaceId, (event) => events.push(event));
  });
  afterAll(() => hub.close());

  const mirror = (runsOn: string, id = crypto.randomUUID()) =>
    insertAgent(hub.runtime.db, {
      id,
      peerId: null,
      runsOn,
      remoteId: `remote-${id}`,
      workspaceId: hub.workspaceId,
      agentType: "echo",
      status: "running",
      input: null,
      timeoutMs: null,
      commandId: `command-${id}`,
      createdAt: Date.now(),
    });

  const report = async (agent: Record<string, unknown>) => {
    const { jws } = await peer.sign(hub.id, { name: "agent.updated", agent }, { claims: { type: "event" } });
    return hub.inbox(jws);
  };

  test("a signed agent.updated moves the mirror forward and is published on the workspace's stream", async () => {
    const agent = await mirror(peer.id);
    const response = await report({
      id: agent.remoteId,
      commandId: agent.commandId,
      agentType: "echo",
      status: "completed",
      exitCode: 0,
      output: "hi",
    });
    expect(response.status).toBe(200);
    expect(await getAgent(hub.runtime.db, agent.id)).toMatchObject({ status: "completed", exitCode: 0, output: "hi" });
    const published = events.filter((event) => (event.data as { id: string }).id === agent.id);
    expect(published.map((event) => [event.event, (event.data as { status: string }).status])).toEqual([
      ["agent.updated", "completed"],
    ]);
    // A late "running" report can't move it back.
    await report({ id: agent.remoteId, agentType: "echo", status: "running" });
    expect((await getAgent(hub.runtime.db, agent.id))?.status).toBe("completed");
  });

  test("a report about another peer's mirror changes nothing", async () => {
    const agent = await mirror(paused.id);
    await report({ id: agent.remoteId, commandId: agent.commandId, agentType: "echo", status: "failed" });
    expect((await getAgent(hub.runtime.db, agent.id))?.status).toBe("running");
  });

  test("a mirror whose peer does not answer is lost after lostAfterMs; one on a suspended peer waits", async () => {
    const silent = await mirror(peer.id);
    const waiting = await mirror(paused.id);
    for (let i = 0; i < 100 && (await getAgent(hub.runtime.db, silent.id))?.status !== "lost"; i++) await Bun.sleep(20);
    expect((await getAgent(hub.runtime.db, silent.id))?.status).toBe("lost");
    expect((await getAgent(hub.runtime.db, waiting.id))?.status).toBe("running");
    expect(events.some((event) => (event.data as { id: string; status: string }).id === silent.id)).toBe(true);
  });
});

describe("a reconciliation round", () => {
  test("asks a peer that does not answer once, however many of its agents are unfinished", async () => {
    let asked = 0;
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => {
        asked += 1;
        return new Response("down", { status: 503 });
      },
    });
    const hub = await startSpoke({ federation: { peers: { allowedHosts: ["127.0.0.1:*"] } } });
    try {
      const peer = await makePeer(`http://127.0.0.1:${server.port}`);
      await hub.addPeer(peer);
      for (const id of ["a", "b", "c"]) {
        await insertAgent(hub.runtime.db, {
          id,
          peerId: null,
          runsOn: peer.id,
          remoteId: `remote-${id}`,
          workspaceId: hub.workspaceId,
          agentType: "echo",
          status: "running",
          input: null,
          timeoutMs: null,
          commandId: `command-${id}`,
          createdAt: Date.now(),
        });
      }
      const plugin = hub.runtime.plugins.find((loaded) => loaded.name === "federation");
      if (!plugin) throw new Error("federation is not enabled");
      // A second federation over the same ctx: the reconciler's run is what is under test, not the plugin's timers.
      const ctx = hub.runtime.contextOf(plugin);
      if (!isFederationConfig(ctx.config)) throw new Error("the federation's config does not fit its schema");
      const fed = createFederation({ ...ctx, config: ctx.config });
      await fed.loadIdentity();
      await new Reconciler(fed).run();
      expect(asked).toBe(1);
    } finally {
      await hub.close();
      server.stop(true);
    }
  });
});
