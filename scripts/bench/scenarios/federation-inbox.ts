// Inbox verification throughput: distinct signed agent.status commands, signed beforehand (outside the
// timed window) and posted by wrk (a C client, so the load generator is not the bottleneck) over 32
// connections. Each is size-checked, decoded, verified against the pinned key, checked for sender,
// audience and clock, its jti recorded in SQLite, its grant checked, run, and answered with a signed
// response. Against jose's compactVerify alone, in this process: the ceiling the signature check sets.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compactVerify } from "jose";
import { importPublicKey } from "../../../plugins/federation/identity/jwk";
import { INBOX_PATH, MEDIA_TYPE } from "../../../plugins/federation/wire/constants";
import { signMessage } from "../../../plugins/federation/wire/sign";
import type { Contender, Scenario } from "../lib/scenario";
import { type BenchSpoke, startBenchSpoke } from "./federation-spoke";

const CONNECTIONS = 32;
// Messages signed per second of a sample: more than the inbox can take, so wrk never runs out (a
// repeated message would be refused as a replay, and the sample fails rather than count it).
const PER_SECOND = 12_000;

// wrk reads the messages, one per line, and posts each once.
const LUA = `
local bodies = {}
local sent = 0
init = function(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
end
request = function()
  sent = sent + 1
  return wrk.format("POST", "${INBOX_PATH}", { ["Content-Type"] = "${MEDIA_TYPE}" }, bodies[sent])
end
`;

const signBatch = async (bench: BenchSpoke, count: number): Promise<string[]> => {
  const signer = bench.hub.keys.current();
  const batch: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = { name: "agent.status", commandId: crypto.randomUUID(), args: { agentId: bench.agentId } };
    batch.push((await signMessage(signer, { iss: bench.hub.self.id, aud: bench.spoke.peer.id, type: "command", body })).jws);
  }
  return batch;
};

const inbox = (bench: BenchSpoke, dir: string): Contender => ({
  name: "tessera inbox over HTTP",
  async measure(seconds) {
    const messages = join(dir, "messages.txt");
    const script = join(dir, "inbox.lua");
    writeFileSync(messages, `${(await signBatch(bench, Math.ceil(seconds * PER_SECOND))).join("\n")}\n`);
    writeFileSync(script, LUA);
    const args = ["-t", "1", "-c", String(CONNECTIONS), "-d", `${seconds}s`, "-s", script];
    const child = Bun.spawn(["wrk", ...args, bench.server.url, "--", messages], { stdout: "pipe", stderr: "pipe" });
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    if (code !== 0) throw new Error(`wrk failed (${code}): ${out}`);
    const requests = /(\d+) requests in ([\d.]+)(ms|s)/.exec(out);
    const refused = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    if (!requests) throw new Error(`could not parse wrk output:\n${out}`);
    if (refused > 0) throw new Error(`${refused} messages were refused (out of signed messages?):\n${out}`);
    const elapsed = Number(requests[2]) / (requests[3] === "ms" ? 1000 : 1);
    return Number(requests[1]) / elapsed;
  },
});

const verifyOnly = (bench: BenchSpoke): Contender => ({
  name: "jose compactVerify alone (1 core)",
  async measure(seconds) {
    const batch = await signBatch(bench, 2000);
    const [jwk] = bench.hub.keys.publicJwks();
    if (!jwk) throw new Error("the bench hub has no key");
    const key = await importPublicKey(jwk);
    let verified = 0;
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    while (performance.now() < until) {
      await compactVerify(batch[verified % batch.length] ?? "", key);
      verified += 1;
    }
    return verified / ((performance.now() - started) / 1000);
  },
});

export const federationInbox: Scenario = {
  name: "federation-inbox",
  title: "Federation: inbox verification throughput (distinct signed commands, wrk, 32 connections)",
  unit: "verified msg/s",
  higherIsBetter: true,
  async prepare() {
    const bench = await startBenchSpoke();
    return { contenders: [inbox(bench, bench.dir), verifyOnly(bench)], cleanup: bench.cleanup };
  },
};
