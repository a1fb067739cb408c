// `tessera peers list|accept|suspend`: the spoke's admin answers a hub's request from the command line,
// against the database the running server shares, which picks the change up and tells the hub.
import { afterAll, describe, expect, test } from "bun:test";
import { until } from "../../support/federated-pair";
import { freePort } from "../../support/free-port";
import { type ServedInstance, serveProcess } from "../../support/serve-process";

const served: ServedInstance[] = [];
afterAll(async () => {
  await Promise.all(served.map((instance) => instance.stop()));
});

const config = (port: number, otherPort: number, name: string) => ({
  server: { publicUrl: `http://127.0.0.1:${port}`, allowedOrigins: [`http://127.0.0.1:${port}`] },
  database: { url: `sqlite:./${name}.db` },
  plugins: {
    "api-key": { enabled: false },
    federation: {
      enabled: true,
      name,
      peers: { allowedHosts: [`127.0.0.1:${otherPort}`] },
      agents: { types: { echo: { command: ["bun", "scripts/agents/echo.ts"] } } },
      delivery: { timeoutMs: 2000, commandAttempts: 2, outboxAttempts: 20, baseDelayMs: 100, maxDelayMs: 500 },
    },
  },
});

const ok = async (instance: ServedInstance, ...args: string[]) => {
  const result = await instance.cli(...args);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
};

interface PeerRow {
  id: string;
  status: string;
  grants: { commands: string[]; agentTypes: string[] };
}

describe("admin CLI: peers", () => {
  test("lists a pending request, accepts it with grants, then suspends it; the hub hears both", async () => {
    const [hubPort, spokePort] = await Promise.all([freePort(), freePort()]);
    const [hub, spoke] = await Promise.all([
      serveProcess(config(hubPort, spokePort, "hub"), { port: hubPort }),
      serveProcess(config(spokePort, hubPort, "spoke"), { port: spokePort }),
    ]);
    served.push(hub, spoke);
    expect(await ok(spoke, "peers", "list")).toBe("no peers\n");
    const added = JSON.parse(await ok(hub, "peers", "add", spoke.url));
    const hubId: string = (await (await fetch(`${hub.url}/.well-known/tessera`)).json()).id;
    const spokeId: string = added.id;

    const pending: PeerRow[] = JSON.parse(await ok(spoke, "peers", "list", "--json"));
    expect(pending).toEqual([expect.objectContaining({ id: hubId, status: "pending" })]);
    expect(await ok(spoke, "peers", "list")).toMatch(
      new RegExp(
        `^ID\\s+URL\\s+NAME\\s+STATUS\\s+COMMANDS\\s+AGENT TYPES\\s+UPDATED\\n${hubId}\\s+${hub.url}\\s+hub\\s+pending\\s`,
      ),
    );

    const refused = await spoke.cli("peers", "accept", hubId, "--commands", "agent.spawn,rm -rf");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('tessera: ERR_BAD_REQUEST: --commands has "rm -rf", which is not a federation command\n');
    const unknown = await spoke.cli("peers", "accept", "no-such-peer");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("tessera: ERR_NOT_FOUND: No such peer\n");

    const accepted = JSON.parse(
      await ok(spoke, "peers", "accept", hubId, "--commands", "agent.spawn,agent.status", "--agent-types", "echo"),
    );
    expect(accepted).toMatchObject({
      id: hubId,
      status: "active",
      notified: true,
      grants: { commands: ["agent.spawn", "agent.status"], agentTypes: ["echo"] },
    });
    await until(
      async () => (JSON.parse(await ok(hub, "peers", "list", "--json")) as PeerRow[])[0]?.status,
      (status) => status === "active",
      "the hub's view of the spoke",
    );

    expect(JSON.parse(await ok(spoke, "peers", "suspend", hubId))).toMatchObject({ status: "suspended", notified: true });
    await until(
      async () => (JSON.parse(await ok(hub, "peers", "list", "--json")) as PeerRow[]).find((peer) => peer.id === spokeId)?.status,
      (status) => status === "remote_suspended",
      "the hub's view of the suspension",
    );
    const missing = await spoke.cli("peers", "suspend");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toStartWith("tessera: ERR_BAD_REQUEST: peers suspend expects the peer's id");
  }, 90_000);
});
