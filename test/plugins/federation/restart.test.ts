// What an instance remembers across a restart on the same database: jtis it accepted, and its identity.
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { makeTempDir } from "../../support/test-runtime";
import { makePeer } from "./support/fake-peer";
import { FAKE_PEER_HOST, startSpoke } from "./support/spoke-runtime";

const dir = makeTempDir("fed-restart-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a jti accepted before a restart is still refused after it, and the instance keeps its id and key", async () => {
  const peer = await makePeer(`http://${FAKE_PEER_HOST}`);
  const first = await startSpoke({ dir });
  await first.addPeer(peer);
  const identity = await (await first.request("/.well-known/tessera")).json();
  const { jws } = await peer.sign(first.id, { name: "agent.list", commandId: "l-1", args: {} });
  expect((await first.inbox(jws)).status).toBe(200);
  await first.stop();

  const second = await startSpoke({ dir });
  try {
    expect(await (await second.request("/.well-known/tessera")).json()).toEqual(identity);
    const replay = await second.inbox(jws);
    expect(replay.status).toBe(409);
    expect((await replay.json()).code).toBe("ERR_FED_REPLAY");
  } finally {
    await second.stop();
  }
});
