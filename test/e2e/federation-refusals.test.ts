// Status codes across the hop, with two real instances: a spoke's refusal reaches the hub's user as
// the same class of error with the spoke's code; a spoke that is gone is a 502 with a stable code.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Instance, startFederatedPair, stopPair } from "../support/federated-pair";

describe("refusals across the hop", () => {
  let hub: Instance;
  let spoke: Instance;
  let member: string;
  let workspaceId: string;

  beforeAll(async () => {
    ({ hub, spoke } = await startFederatedPair({ grants: { commands: ["agent.spawn", "agent.status"], agentTypes: ["echo"] } }));
    member = await hub.token("member@hub.example");
    workspaceId = (await (await hub.call("POST", "/workspaces", member, { name: "refusals" })).json()).id;
  }, 30_000);

  afterAll(() => stopPair({ hub, spoke }));

  const spawn = (agentType: string) =>
    hub.call("POST", `/federation/peers/${spoke.id}/agents`, member, { workspaceId, agentType, input: null });

  test("an agent type the spoke did not grant is 403 ERR_FED_NOT_GRANTED, not a gateway failure", async () => {
    const response = await spawn("sleeper");
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "ERR_FED_NOT_GRANTED" });
  });

  test("an agent type the spoke does not know is 403 ERR_FED_NOT_GRANTED too (nothing to tell them apart)", async () => {
    const response = await spawn("no-such-type");
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "ERR_FED_NOT_GRANTED" });
  });

  test("a refused spawn leaves no agent behind on the hub", async () => {
    const listed = await (
      await hub.call("GET", `/federation/peers/${spoke.id}/agents?workspaceId=${workspaceId}`, member)
    ).json();
    expect(listed.agents).toEqual([]);
  });

  test("a granted spawn still works across the hop", async () => {
    expect((await spawn("echo")).status).toBe(201);
  });

  test("a spoke that is gone is 502 ERR_FED_PEER_UNAVAILABLE, never ERR_INTERNAL", async () => {
    await spoke.served.stop();
    const response = await spawn("echo");
    expect(response.status).toBe(502);
    const problem = await response.json();
    expect(problem.code).toBe("ERR_FED_PEER_UNAVAILABLE");
  });
});
