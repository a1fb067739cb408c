// The inbox against messages an attacker (or a confused peer) would send, each signed for real and posted
// to a running instance: every one is refused with problem+json and its code, and no agent is started.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type FakePeer, makeKey, makePeer, readResponse } from "./support/fake-peer";
import { ALL_GRANTS, FAKE_PEER_HOST, type Spoke, startSpoke } from "./support/spoke-runtime";

const spawnBody = (commandId = crypto.randomUUID()) => ({
  name: "agent.spawn",
  commandId,
  args: { agentType: "echo", input: { from: "test" } },
});

describe("the federation inbox refuses, executing nothing", () => {
  let spoke: Spoke;
  let peer: FakePeer;
  let other: FakePeer;
  let narrow: FakePeer;
  let suspended: FakePeer;
  let stranger: FakePeer;
  let greedy: FakePeer;
  let spokeKey: Record<string, unknown>;

  beforeAll(async () => {
    // Limits high enough that the accepted spawns of one test never refuse another's.
    spoke = await startSpoke({ federation: { agents: { maxConcurrent: 8, maxConcurrentPerPeer: 3 } } });
    const url = `http://${FAKE_PEER_HOST}`;
    [peer, other, narrow, suspended, stranger, greedy] = await Promise.all([
      makePeer(url),
      makePeer(url),
      makePeer(url),
      makePeer(url),
      makePeer(url),
      makePeer(url),
    ]);
    await spoke.addPeer(peer);
    await spoke.addPeer(other);
    await spoke.addPeer(greedy);
    await spoke.addPeer(narrow, { commands: ["agent.status", "agent.spawn"], agentTypes: ["sleeper"] });
    await spoke.addPeer(suspended, ALL_GRANTS, "suspended");
    spokeKey = (await (await spoke.request("/.well-known/tessera")).json()).keys[0];
  });
  afterAll(() => spoke.close());

  /** Posts the message, expects the refusal, and checks that no agent came of it. */
  const refused = async (body: BodyInit, status: number, code: string, headers?: Record<string, string>) => {
    const before = await spoke.agentCount();
    const response = await spoke.inbox(body, headers);
    const problem = await response.json();
    expect({ status: response.status, code: problem.code }).toEqual({ status, code });
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await spoke.agentCount()).toBe(before);
    return problem;
  };

  test("a well-formed command is accepted with a signed response bound to its jti", async () => {
    const { jws, jti } = await peer.sign(spoke.id, spawnBody());
    const response = await spoke.inbox(jws);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/jose");
    const claims = await readResponse(await response.text(), spokeKey);
    expect(claims).toMatchObject({ iss: spoke.id, aud: peer.id, type: "response", body: { re: jti, ok: true } });
    expect(claims.body.result).toMatchObject({ agentId: expect.any(String), status: "running" });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(300);
  });

  test("a replayed jti is 409 ERR_FED_REPLAY", async () => {
    const { jws } = await peer.sign(spoke.id, spawnBody());
    expect((await spoke.inbox(jws)).status).toBe(200);
    await refused(jws, 409, "ERR_FED_REPLAY");
  });

  test("iat more than 60 s in the past or future is ERR_FED_CLOCK", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const iat of [now - 120, now + 120]) {
      const { jws } = await peer.sign(spoke.id, spawnBody(), { claims: { iat, exp: iat + 60 } });
      await refused(jws, 401, "ERR_FED_CLOCK");
    }
  });

  test("exp more than 5 minutes after iat, or already past, is ERR_FED_CLOCK", async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused((await peer.sign(spoke.id, spawnBody(), { claims: { exp: now + 3600 } })).jws, 401, "ERR_FED_CLOCK");
    await refused(
      (await peer.sign(spoke.id, spawnBody(), { claims: { iat: now - 50, exp: now - 5 } })).jws,
      401,
      "ERR_FED_CLOCK",
    );
  });

  test("a message addressed to another instance is ERR_FED_AUDIENCE", async () => {
    await refused((await peer.sign("someone-else", spawnBody())).jws, 403, "ERR_FED_AUDIENCE");
  });

  test("an unknown kid is ERR_FED_UNKNOWN_KEY, without fetching anything", async () => {
    const rogue = await makeKey();
    await refused(
      (await peer.sign(spoke.id, spawnBody(), { key: rogue, header: { kid: rogue.kid } })).jws,
      401,
      "ERR_FED_UNKNOWN_KEY",
    );
  });

  test("a tampered payload fails the signature", async () => {
    const { jws } = await peer.sign(spoke.id, spawnBody());
    const [header, payload, signature] = jws.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    claims.body.args.agentType = "sleeper";
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    await refused(tampered, 401, "ERR_FED_SIGNATURE");
  });

  test("a message signed by another key under the peer's kid fails the signature", async () => {
    const wrong = await makeKey();
    await refused((await peer.sign(spoke.id, spawnBody(), { key: wrong })).jws, 401, "ERR_FED_SIGNATURE");
  });

  test("another peer's key used in this peer's name is refused", async () => {
    // other's kid is pinned for other, not for peer.
    await refused(
      (await peer.sign(spoke.id, spawnBody(), { key: other.key, header: { kid: other.key.kid } })).jws,
      401,
      "ERR_FED_UNKNOWN_KEY",
    );
  });

  test("an instance that is not a peer is ERR_FED_PEER", async () => {
    await refused((await stranger.sign(spoke.id, spawnBody())).jws, 403, "ERR_FED_PEER");
  });

  test("a suspended peer is ERR_FED_PEER", async () => {
    await refused((await suspended.sign(spoke.id, spawnBody())).jws, 403, "ERR_FED_PEER");
  });

  test("a command or an agent type the peer was not granted is ERR_FED_NOT_GRANTED", async () => {
    await refused(
      (await narrow.sign(spoke.id, { name: "agent.kill", commandId: "k", args: { agentId: "x" } })).jws,
      403,
      "ERR_FED_NOT_GRANTED",
    );
    await refused((await narrow.sign(spoke.id, spawnBody())).jws, 403, "ERR_FED_NOT_GRANTED");
  });

  test("another peer's agent is 404, exactly like an id that does not exist", async () => {
    const { jws } = await peer.sign(spoke.id, spawnBody());
    const claims = await readResponse(await (await spoke.inbox(jws)).text(), spokeKey);
    const agentId: string = claims.body.result.agentId;
    for (const name of ["agent.status", "agent.kill"]) {
      const theirs = await refused(
        (await other.sign(spoke.id, { name, commandId: crypto.randomUUID(), args: { agentId } })).jws,
        404,
        "ERR_NOT_FOUND",
      );
      const missing = await refused(
        (await other.sign(spoke.id, { name, commandId: crypto.randomUUID(), args: { agentId: crypto.randomUUID() } })).jws,
        404,
        "ERR_NOT_FOUND",
      );
      expect(theirs.detail).toBe(missing.detail);
    }
    const listed = await spoke.inbox((await other.sign(spoke.id, { name: "agent.list", commandId: "l", args: {} })).jws);
    expect((await readResponse(await listed.text(), spokeKey)).body.result.agents).toEqual([]);
  });

  test("a body over 64 KiB is 413 before it is read, declared or chunked", async () => {
    const big = "a".repeat(64 * 1024 + 1);
    await refused(big, 413, "ERR_FED_TOO_LARGE");
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("b".repeat(4096)));
        controller.close();
      },
    });
    await refused(chunked, 413, "ERR_FED_TOO_LARGE");
  });

  test("another media type is 415", async () => {
    await refused((await peer.sign(spoke.id, spawnBody())).jws, 415, "ERR_FED_MEDIA_TYPE", {
      "content-type": "application/json",
    });
  });

  test("garbage bodies are 400 ERR_FED_MALFORMED", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "EdDSA", typ: "tessera-fed+jwt", kid: peer.key.kid })).toString("base64url");
    const bodies = [
      "",
      "not a jws",
      "a.b",
      "a.b.c.d.e",
      "{}",
      `${header}.${Buffer.from("[]").toString("base64url")}.AAAA`,
      `${header}.${Buffer.from('{"iss":"../etc","type":"command"}').toString("base64url")}.AAAA`,
      `${Buffer.from(JSON.stringify({ alg: "none", typ: "tessera-fed+jwt", kid: "x" })).toString("base64url")}.e30.`,
      new Uint8Array([0xc3, 0x28, 0xa0, 0xa1]),
    ];
    for (const body of bodies) await refused(body, 400, "ERR_FED_MALFORMED");
  });

  test("a signed message with a body of the wrong shape is ERR_FED_MALFORMED", async () => {
    await refused((await peer.sign(spoke.id, { name: "agent.explode", commandId: "x", args: {} })).jws, 400, "ERR_FED_MALFORMED");
    await refused(
      (await peer.sign(spoke.id, { ...spawnBody(), args: { agentType: "../bin/sh" } })).jws,
      400,
      "ERR_FED_MALFORMED",
    );
    await refused((await peer.sign(spoke.id, spawnBody(), { claims: { type: "response" } })).jws, 400, "ERR_FED_MALFORMED");
  });

  test("checks run in the contract's order: size, then signature, then sender, audience, clock, replay, grant", async () => {
    const rogue = await makeKey();
    const now = Math.floor(Date.now() / 1000);
    // Bad signature and wrong audience: the signature is reported.
    await refused((await peer.sign("elsewhere", spawnBody(), { key: rogue })).jws, 401, "ERR_FED_SIGNATURE");
    // Suspended and skewed: the sender's state is reported.
    await refused(
      (await suspended.sign(spoke.id, spawnBody(), { claims: { iat: now - 500, exp: now - 400 } })).jws,
      403,
      "ERR_FED_PEER",
    );
    // Wrong audience and skewed: the audience.
    await refused(
      (await peer.sign("elsewhere", spawnBody(), { claims: { iat: now - 500, exp: now - 400 } })).jws,
      403,
      "ERR_FED_AUDIENCE",
    );
    // Skewed and not granted: the clock.
    await refused(
      (await narrow.sign(spoke.id, spawnBody(), { claims: { iat: now - 500, exp: now - 400 } })).jws,
      401,
      "ERR_FED_CLOCK",
    );
    // A replay of a command that was not granted: the replay.
    const { jws } = await narrow.sign(spoke.id, spawnBody());
    await refused(jws, 403, "ERR_FED_NOT_GRANTED");
    await refused(jws, 409, "ERR_FED_REPLAY");
  });

  test("a command past a limit is answered with a signed refusal carrying the status and Retry-After", async () => {
    const sleeper = (commandId: string) => ({
      name: "agent.spawn",
      commandId,
      args: { agentType: "sleeper", input: { seconds: 5 } },
    });
    for (let i = 0; i < 3; i++) {
      expect((await spoke.inbox((await greedy.sign(spoke.id, sleeper(crypto.randomUUID()))).jws)).status).toBe(200);
    }
    const past = await greedy.sign(spoke.id, sleeper(crypto.randomUUID()));
    const response = await spoke.inbox(past.jws);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("5");
    const claims = await readResponse(await response.text(), spokeKey);
    expect(claims.body).toMatchObject({ re: past.jti, ok: false, error: { code: "ERR_AGENT_LIMIT" } });
  });
});
