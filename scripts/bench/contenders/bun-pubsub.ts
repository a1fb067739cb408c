// The ceiling for WebSocket events: Bun.serve's native pub/sub with the same work inline and nothing
// else — the bearer token's session looked up in Tessera's SQLite file at upgrade, `ready`, a membership
// check on `subscribe`, and POST /publish fanning events out with server.publish. It speaks the subset
// of Tessera's WebSocket contract the load client uses.
// bun bun-pubsub.ts <sqlite file> [port]
import { Database } from "bun:sqlite";

const [file, port = "0"] = process.argv.slice(2);
if (!file) throw new Error("usage: bun-pubsub.ts <sqlite file> [port]");
const db = new Database(file);
db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
const findSession = db.prepare<{ id: string }, [string, number]>(
  `SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
);
const findMembership = db.prepare<{ role: string }, [string, string]>(
  "SELECT role FROM workspace_members WHERE user_id = ? AND workspace_id = ?",
);

interface SocketData {
  userId: string;
}

interface PublishRequest {
  workspaceId: string;
  event: string;
  data: unknown;
  count?: number;
}

const lastIds = new Map<string, number>();

const server = Bun.serve<SocketData>({
  hostname: "127.0.0.1",
  port: Number(port),
  async fetch(request, server) {
    const { pathname } = new URL(request.url);
    if (pathname === "/ws") {
      const header = request.headers.get("authorization") ?? "";
      const hash = Bun.SHA256.hash(header.slice("Bearer ".length), "hex");
      const row = findSession.get(hash, Date.now());
      if (!row) return new Response("unauthenticated", { status: 401 });
      return server.upgrade(request, { data: { userId: row.id } }) ? undefined : new Response("bad handshake", { status: 400 });
    }
    if (pathname === "/publish" && request.method === "POST") {
      const { workspaceId, event, data, count = 1 } = (await request.json()) as PublishRequest;
      for (let i = 0; i < count; i++) {
        const id = (lastIds.get(workspaceId) ?? 0) + 1;
        lastIds.set(workspaceId, id);
        server.publish(
          `ws:${workspaceId}`,
          JSON.stringify({ type: "event", workspaceId, id: String(id), event, data, ts: Date.now() }),
        );
      }
      return Response.json({ published: count });
    }
    return new Response("not found", { status: 404 });
  },
  websocket: {
    open(ws) {
      ws.send(JSON.stringify({ type: "ready", userId: ws.data.userId }));
    },
    message(ws, message) {
      const { type, workspaceId } = JSON.parse(String(message)) as { type: string; workspaceId: string };
      if (type !== "subscribe") return;
      if (!findMembership.get(ws.data.userId, workspaceId)) {
        ws.send(JSON.stringify({ type: "error", code: "forbidden", workspaceId }));
        return;
      }
      ws.subscribe(`ws:${workspaceId}`);
      ws.send(JSON.stringify({ type: "subscribed", workspaceId }));
    },
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
