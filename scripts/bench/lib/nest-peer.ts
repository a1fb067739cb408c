// Starts the NestJS peer (scripts/bench/peers/nest) against a scenario's Tessera database, with an
// identity provider's keys from a file: the bench's local issuer, or an offline fixture where no
// scenario route needs one.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeJwtFixture } from "../peers/jwt-fixture";
import { buildPeers, nestArgv } from "../peers/peers";
import { type ServerProcess, startServer } from "./server-process";

export interface NestPeerStart {
  dir: string;
  db: string;
  /** API keys as configured in Tessera (`sha256:<hex>`). */
  apiKeyHashes?: readonly string[];
  issuer?: { issuer: string; jwks: { keys: Record<string, unknown>[] }; audience: string };
}

export const startNestPeer = async ({ dir, db, apiKeyHashes = [], issuer }: NestPeerStart): Promise<ServerProcess> => {
  await buildPeers();
  let keys: { jwksFile: string; issuer: string; audience: string };
  if (issuer) {
    const jwksFile = join(dir, "nest-jwks.json");
    writeFileSync(jwksFile, JSON.stringify(issuer.jwks));
    keys = { jwksFile, issuer: issuer.issuer, audience: issuer.audience };
  } else {
    keys = await makeJwtFixture(dir);
  }
  // The peer refuses to start without a key; one nobody holds keeps its API-key guard honest.
  const hashes = apiKeyHashes.length ? apiKeyHashes.map((hash) => hash.slice("sha256:".length)) : ["0".repeat(64)];
  return startServer(nestArgv({ db, apiKeyHashes: hashes, ...keys }));
};
