// Administrative actions run only on the body they document: a garbage body (malformed JSON, a JSON
// value that is not the object, another media type, invalid UTF-8, an out-of-range number) is refused
// and changes nothing. Found by a fuzzer: key rotation and peer acceptance used to act on all of them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { type FakePeer, makePeer } from "./support/fake-peer";
import { type Spoke, startSpoke } from "./support/spoke-runtime";

const GARBAGE = ["{not json", "[]", "42", "null", '"x"'];
const INVALID_UTF8 = new Uint8Array([0x7b, 0x22, 0x67, 0xff, 0x22, 0x3a, 0x31, 0x7d]);

describe("strict bodies on federation's administrative routes", () => {
  let spoke: Spoke;
  let server: Server<undefined>;
  let published: FakePeer;
  let base: string;

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
    spoke = await startSpoke({ federation: { peers: { allowedHosts: ["127.0.0.1:*"] } } });
  });
  afterAll(async () => {
    server.stop(true);
    await spoke.close();
  });

  const currentKid = async (): Promise<string> => (await (await spoke.request("/.well-known/tessera")).json()).keys[0].kid;
  const post = (path: string, body: BodyInit, contentType = "application/json", as: "admin" | "member" = "admin") =>
    spoke.request(path, { method: "POST", as, body, headers: { "content-type": contentType } });
  const pendingPeer = async () => {
    const peer = await makePeer(base);
    published = peer;
    await spoke.addPeer(peer, { commands: [], agentTypes: [] }, "pending");
    return peer;
  };
  const statusOf = async (id: string) => (await (await spoke.request(`/federation/peers/${id}`, { as: "admin" })).json()).status;

  test("key rotation refuses malformed JSON, [], 42, null and a string, and keeps the key", async () => {
    const before = await currentKid();
    for (const body of GARBAGE) {
      const response = await post("/federation/keys/rotate", body);
      expect({ body, status: response.status }).toEqual({ body, status: body === "{not json" ? 400 : 422 });
      expect(response.headers.get("content-type")).toStartWith("application/problem+json");
    }
    expect(await currentKid()).toBe(before);
  });

  test("key rotation refuses a body that is not JSON with 415 and keeps the key", async () => {
    const before = await currentKid();
    const response = await post("/federation/keys/rotate", "overlapMs=0", "application/x-www-form-urlencoded");
    expect(response.status).toBe(415);
    expect((await response.json()).code).toBe("ERR_UNSUPPORTED_MEDIA_TYPE");
    expect(await currentKid()).toBe(before);
  });

  test("key rotation refuses a body that is not valid UTF-8 with 400", async () => {
    const before = await currentKid();
    const response = await post("/federation/keys/rotate", INVALID_UTF8);
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe("ERR_BAD_REQUEST");
    expect(await currentKid()).toBe(before);
  });

  test("key rotation refuses overlapMs of 1e308, 1e309, -1, 1.5, a string and past 30 days", async () => {
    const before = await currentKid();
    for (const overlapMs of ["1e308", "1e309", "-1", "1.5", '"50"', String(30 * 86_400_000 + 1)]) {
      const response = await post("/federation/keys/rotate", `{"overlapMs":${overlapMs}}`);
      expect({ overlapMs, status: response.status }).toEqual({ overlapMs, status: 422 });
    }
    expect(await currentKid()).toBe(before);
  });

  test("key rotation still works with no body and with a valid overlapMs", async () => {
    const before = await currentKid();
    const bare = await spoke.request("/federation/keys/rotate", { method: "POST", as: "admin" });
    expect(bare.status).toBe(200);
    const rotated = await post("/federation/keys/rotate", JSON.stringify({ overlapMs: 30 * 86_400_000 }));
    expect(rotated.status).toBe(200);
    expect((await rotated.json()).retired.kid).not.toBe(before);
  });

  test("a member's garbage to the rotation is 403, not a hint at the body's shape", async () => {
    const response = await post("/federation/keys/rotate", "x", "text/plain", "member");
    expect(response.status).toBe(403);
  });

  test("accepting a peer refuses malformed JSON, [], 42, null and a string, and the peer stays pending", async () => {
    const peer = await pendingPeer();
    for (const body of GARBAGE) {
      const response = await post(`/federation/peers/${peer.id}/accept`, body);
      expect({ body, status: response.status }).toEqual({ body, status: body === "{not json" ? 400 : 422 });
    }
    const plain = await post(`/federation/peers/${peer.id}/accept`, "yes", "text/plain");
    expect(plain.status).toBe(415);
    expect(await statusOf(peer.id)).toBe("pending");
    // The same peer is accepted with no body: the refusals above were about the bodies alone.
    const accepted = await spoke.request(`/federation/peers/${peer.id}/accept`, { method: "POST", as: "admin" });
    expect(accepted.status).toBe(200);
    expect(await statusOf(peer.id)).toBe("active");
  });

  test("suspending and disconnecting take no body: one sent is refused and the peer keeps its state", async () => {
    const peer = await pendingPeer();
    await spoke.request(`/federation/peers/${peer.id}/accept`, { method: "POST", as: "admin" });
    for (const action of ["suspend", "disconnect"]) {
      for (const body of [...GARBAGE, "{}"]) {
        const response = await post(`/federation/peers/${peer.id}/${action}`, body);
        expect({ action, body, status: response.status }).toEqual({ action, body, status: body === "{not json" ? 400 : 422 });
      }
    }
    expect(await statusOf(peer.id)).toBe("active");
  });

  test("setting grants refuses null, [] and a body that is not JSON", async () => {
    const peer = await pendingPeer();
    for (const body of ["null", "[]"]) {
      expect((await spoke.request(`/federation/peers/${peer.id}/grants`, { method: "PUT", as: "admin", body })).status).toBe(422);
    }
    const plain = await spoke.request(`/federation/peers/${peer.id}/grants`, {
      method: "PUT",
      as: "admin",
      body: "commands=agent.list",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(plain.status).toBe(415);
  });

  test("killing an agent takes no body: a garbage body is refused before anything is looked up", async () => {
    const response = await spoke.request("/agents/nope/kill", { method: "POST", as: "member", body: "[]" });
    expect(response.status).toBe(422);
  });
});
