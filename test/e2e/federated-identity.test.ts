// The acting user of federated commands, with two real instances: the hub signs its user into each
// spawn and kill, the spoke keeps it on the agent and in its audit log, and a spoke admin can restrict
// the hub to a list of its users.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ALL_COMMANDS, type Instance, startFederatedPair, stopPair, until } from "../support/federated-pair";

describe("the acting user on federated commands", () => {
  let hub: Instance;
  let spoke: Instance;
  let ada: string;
  let bob: string;
  let workspaceId: string;

  beforeAll(async () => {
    ({ hub, spoke } = await startFederatedPair());
    [ada, bob] = await Promise.all([hub.token("ada@hub.example", "Ada Lovelace"), hub.token("bob@hub.example", "Bob")]);
    workspaceId = (await (await hub.call("POST", "/workspaces", ada, { name: "builds" })).json()).id;
    const adaMe = await (await hub.call("GET", "/me", ada)).json();
    const bobId = (await (await hub.call("GET", "/me", bob)).json()).user.id;
    await hub.call("POST", `/workspaces/${workspaceId}/members`, ada, { userId: bobId, role: "member" });
    expect(adaMe.user.email).toBe("ada@hub.example");
  }, 30_000);

  afterAll(() => stopPair({ hub, spoke }));

  const spawn = (as: string) =>
    hub.call("POST", `/federation/peers/${spoke.id}/agents`, as, { workspaceId, agentType: "echo", input: { hi: 1 } });
  const audit = async () => (await (await spoke.call("GET", `/federation/peers/${hub.id}/audit`, spoke.admin)).json()).entries;
  const adaUser = async () => (await (await hub.call("GET", "/me", ada)).json()).user;

  test("a spawn carries the hub's user: the spoke shows it on the agent and in its audit log", async () => {
    const response = await spawn(ada);
    expect(response.status).toBe(201);
    const mirror = await response.json();
    const user = await adaUser();
    // The hub's own record names its user too.
    expect(mirror.actingUser).toEqual({ id: user.id, email: "ada@hub.example", name: "Ada Lovelace" });

    const [entry] = await audit();
    expect(entry).toMatchObject({
      command: "agent.spawn",
      outcome: "ok",
      actingUser: { id: user.id, email: "ada@hub.example", name: "Ada Lovelace" },
    });
    const onSpoke = await spoke.call("GET", `/agents/${entry.agentId}`, spoke.admin);
    expect(onSpoke.status).toBe(200);
    expect(await onSpoke.json()).toMatchObject({
      peerId: hub.id,
      actingUser: { id: user.id, email: "ada@hub.example", name: "Ada Lovelace" },
    });
  });

  test("a peer's run is shown to the spoke's administrators only", async () => {
    const [entry] = await audit();
    const someone = await spoke.token("someone@spoke.example");
    expect((await spoke.call("GET", `/agents/${entry.agentId}`, someone)).status).toBe(404);
  });

  test("a kill is audited with the user who asked for it", async () => {
    const started = await hub.call("POST", `/federation/peers/${spoke.id}/agents`, ada, {
      workspaceId,
      agentType: "sleeper",
      input: { seconds: 5 },
    });
    const mirror = await started.json();
    await until(
      async () => (await (await hub.call("GET", `/agents/${mirror.id}`, ada)).json()).status,
      (status) => status === "running",
      "the sleeper's start",
    );
    expect((await hub.call("POST", `/federation/peers/${spoke.id}/agents/${mirror.id}/kill`, bob)).status).toBe(200);
    const [entry] = await audit();
    expect(entry).toMatchObject({ command: "agent.kill", outcome: "ok", actingUser: { email: "bob@hub.example" } });
  });

  test("a spoke admin can restrict the peer to listed users: others are refused and audited", async () => {
    const restricted = await spoke.call("PUT", `/federation/peers/${hub.id}/grants`, spoke.admin, {
      commands: ALL_COMMANDS,
      agentTypes: ["echo"],
      users: ["ADA@hub.example"],
    });
    expect(restricted.status).toBe(200);
    expect((await restricted.json()).grants.users).toEqual(["ADA@hub.example"]);

    const refused = await spawn(bob);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "ERR_FED_NOT_GRANTED" });
    const [entry] = await audit();
    expect(entry).toMatchObject({
      command: "agent.spawn",
      outcome: "ERR_FED_NOT_GRANTED",
      actingUser: { email: "bob@hub.example" },
    });

    // Listed by email (any case) or by the hub's user id.
    expect((await spawn(ada)).status).toBe(201);
    const bobId = (await (await hub.call("GET", "/me", bob)).json()).user.id;
    await spoke.call("PUT", `/federation/peers/${hub.id}/grants`, spoke.admin, {
      commands: ALL_COMMANDS,
      agentTypes: ["echo"],
      users: [bobId],
    });
    expect((await spawn(bob)).status).toBe(201);
    expect((await spawn(ada)).status).toBe(403);
  });
});
