// The ceiling for an API-key guarded GET /coordinator/health: bare Elysia (or Bun.serve) doing the same work inline —
// read X-API-Key, SHA-256 it, compare in constant time against every configured digest, count the
// active jobs in the same SQLite file — with none of Tessera's plumbing.
import { Database } from "bun:sqlite";
import { timingSafeEqual } from "node:crypto";
import { serveBare } from "./serve-bare";

const [file, hashes = "", server] = process.argv.slice(2);
if (!file) throw new Error("usage: bare-api-key.ts <sqlite file> <sha256:hex,…> [elysia|bun]");
const digests = hashes.split(",").map((hash) => Buffer.from(hash.slice("sha256:".length), "hex"));
const db = new Database(file);
db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
const countActive = db.prepare("SELECT status, count(*) AS n FROM jobs WHERE status IN ('pending', 'running') GROUP BY status");

serveBare(
  "/coordinator/health",
  (request) => {
    const presented = request.headers.get("x-api-key") ?? "";
    // The same SHA-256 primitive as Tessera's, so the ratio measures the framework, not the hash.
    const digest = Bun.SHA256.hash(presented) as Uint8Array;
    let found = false;
    for (const candidate of digests) if (timingSafeEqual(candidate, digest)) found = true;
    if (!found) return { status: 401, body: { error: "unauthenticated" } };
    const rows = countActive.all() as { status: string; n: number }[];
    const of = (status: string) => rows.find((row) => row.status === status)?.n ?? 0;
    return { status: 200, body: { status: "ok", service: "bench", jobs: { pending: of("pending"), running: of("running") } } };
  },
  server,
);
