// The Socket.IO peer, as the origin system ran its real-time updates: Socket.IO 4 on Node, every
// connection authenticated in an `io.use` middleware by Tessera's session lookup, a workspace's room
// joined after a membership check, events fanned out with `io.to(room).emit`.
// node [--expose-gc] server.js --db FILE [--port N]
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { SessionStore, type SessionUser } from "../common/session-store.js";
import { benchRoutes } from "./bench-routes.js";
import { type ClientToServerEvents, roomOf, type ServerToClientEvents } from "./protocol.js";

const { values } = parseArgs({ options: { db: { type: "string" }, port: { type: "string", default: "0" } } });
if (!values.db) throw new Error("usage: server.js --db FILE [--port N]");
const sessions = new SessionStore(values.db);

interface SocketData {
  user: SessionUser;
}

const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>();
// Attached after the fact so Socket.IO answers /socket.io/ and hands every other request to the bench routes.
const http = createServer(benchRoutes(io));
io.attach(http);

io.use((socket, next) => {
  const { token } = socket.handshake.auth;
  const user = typeof token === "string" ? sessions.userOf(token) : undefined;
  if (!user) return next(new Error("unauthorized"));
  socket.data.user = user;
  next();
});

io.on("connection", (socket) => {
  socket.on("subscribe", (payload, ack) => {
    if (typeof ack !== "function") return;
    const workspaceId = payload?.workspaceId;
    if (typeof workspaceId !== "string") return ack({ ok: false, error: "bad_request" });
    if (!sessions.isMember(socket.data.user.id, workspaceId)) return ack({ ok: false, error: "forbidden" });
    socket.join(roomOf(workspaceId));
    ack({ ok: true });
  });
});

http.listen(Number(values.port), "127.0.0.1", () => {
  const address = http.address();
  if (typeof address !== "object" || address === null) throw new Error("the server has no TCP address");
  console.log(`listening on http://127.0.0.1:${address.port}`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => io.close(() => process.exit(0)));
