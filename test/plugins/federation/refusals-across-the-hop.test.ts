// What a hub's user is told when a peer does not carry out a spawn: the peer's refusal as the same
// class of error with the peer's code (and Retry-After), a peer that is down or answers nonsense as
// 502 ERR_FED_PEER_UNAVAILABLE, one that does not answer in time as 504 ERR_FED_PEER_TIMEOUT — the
// user's request is never reported as this instance's internal error.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type FakePeer, makePeer } from "./support/fake-peer";
import { type Spoke, startSpoke } from "./support/spoke-runtime";

type Answer = () => Response | Promise<Response>;

describe("a peer's answer, as the hub's user sees it", () => {
  let hub: Spoke;
  let server: ReturnType<typeof Bun.serve>;
  let answer: Answer = () => new Response("unset", { status: 500 });
  let peer: FakePeer;

  beforeAll(async () => {
    server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => answer() });
    hub = await startSpoke({
      federation: {
        peers: { allowedHosts: ["127.0.0.1:*"] },
        delivery: { timeoutMs: 300, commandAttempts: 1, baseDelayMs: 50, maxDelayMs: 100 },
      },
    });
    peer = await makePeer(`http://127.0.0.1:${server.port}`);
    await hub.addPeer(peer);
  });
  afterAll(async () => {
    server.stop(true);
    await hub.close();
  });

  const problem =
    (status: number, code: string, headers: Record<string, string> = {}) =>
    () =>
      new Response(JSON.stringify({ status, code, detail: `refused with ${code}` }), {
        status,
        headers: { "content-type": "application/problem+json", ...headers },
      });
  const spawn = () =>
    hub.request(`/federation/peers/${peer.id}/agents`, {
      method: "POST",
      as: "member",
      body: JSON.stringify({ workspaceId: hub.workspaceId, agentType: "echo", input: null }),
    });
  const expectProblem = async (status: number, code: string) => {
    const response = await spawn();
    const body = await response.json();
    expect({ status: response.status, code: body.code }).toEqual({ status, code });
    return { response, body };
  };

  test("a peer's 403 ERR_FED_NOT_GRANTED reaches the user as 403 ERR_FED_NOT_GRANTED", async () => {
    answer = problem(403, "ERR_FED_NOT_GRANTED");
    await expectProblem(403, "ERR_FED_NOT_GRANTED");
  });

  test("a peer's 404 and 422 pass through with the peer's code", async () => {
    answer = problem(404, "ERR_NOT_FOUND");
    await expectProblem(404, "ERR_NOT_FOUND");
    answer = problem(422, "ERR_AGENT_TIMEOUT");
    await expectProblem(422, "ERR_AGENT_TIMEOUT");
  });

  test("a peer's 429 reaches the user as 429 with its Retry-After", async () => {
    answer = problem(429, "ERR_AGENT_LIMIT", { "retry-after": "7" });
    const { response } = await expectProblem(429, "ERR_AGENT_LIMIT");
    expect(response.headers.get("retry-after")).toBe("7");
  });

  test("a peer that answers 500 is 502 ERR_FED_PEER_UNAVAILABLE, never ERR_INTERNAL", async () => {
    answer = () => new Response("boom", { status: 500 });
    await expectProblem(502, "ERR_FED_PEER_UNAVAILABLE");
  });

  test("a peer that answers an unsigned 200 (nonsense) is 502 ERR_FED_PEER_UNAVAILABLE", async () => {
    answer = () => new Response("<html>hello</html>", { status: 200, headers: { "content-type": "text/html" } });
    await expectProblem(502, "ERR_FED_PEER_UNAVAILABLE");
  });

  test("a peer's 401 (it can't verify us) is our fault between instances: 502, not the user's 401", async () => {
    answer = problem(401, "ERR_FED_UNKNOWN_KEY");
    const { body } = await expectProblem(502, "ERR_FED_PEER_UNAVAILABLE");
    expect(body.peerCode).toBe("ERR_FED_UNKNOWN_KEY");
  });

  test("a peer that does not answer in time is 504 ERR_FED_PEER_TIMEOUT, the agent recorded lost", async () => {
    answer = async () => {
      await Bun.sleep(1500);
      return new Response("late", { status: 500 });
    };
    const { body } = await expectProblem(504, "ERR_FED_PEER_TIMEOUT");
    expect(body.agent.status).toBe("lost");
  });
});
