// The NestJS peer: the origin system's HTTP stack (Nest on Express, with its defaults) answering the
// routes the Tessera contenders answer, each behind the guard for its kind of credential.
// node main.js --db FILE --api-key-hash HEX… --jwks FILE --issuer URL --audience AUD [--port N]
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { NestFactory } from "@nestjs/core";
import { createLocalJWKSet } from "jose";
import { SessionStore } from "../common/session-store.js";
import { AppModule } from "./app.module.js";
import { PeerConfig } from "./peer-config.js";

const { values } = parseArgs({
  options: {
    db: { type: "string" },
    "api-key-hash": { type: "string", multiple: true },
    jwks: { type: "string" },
    issuer: { type: "string" },
    audience: { type: "string" },
    port: { type: "string", default: "0" },
  },
});
const { db, jwks, issuer, audience } = values;
const hashes = values["api-key-hash"] ?? [];
if (!db || !jwks || !issuer || !audience || hashes.length === 0) {
  throw new Error(
    "usage: main.js --db FILE --api-key-hash HEX [--api-key-hash HEX…] --jwks FILE --issuer URL --audience AUD [--port N]",
  );
}
const malformed = hashes.find((hash) => !/^[0-9a-f]{64}$/.test(hash));
if (malformed !== undefined) throw new Error("--api-key-hash takes the key's SHA-256 as 64 lower-case hex digits");

const config = new PeerConfig(
  hashes.map((hash) => Buffer.from(hash, "hex")),
  createLocalJWKSet(JSON.parse(readFileSync(jwks, "utf8"))),
  issuer,
  audience,
);
// Warnings and errors only: Nest's start-up banner is noise in a benchmark log; it logs no requests either way.
const app = await NestFactory.create(AppModule.forRoot(new SessionStore(db), config), { logger: ["error", "warn"] });
app.enableShutdownHooks();
await app.listen(Number(values.port), "127.0.0.1");
console.log(`listening on ${await app.getUrl()}`);
