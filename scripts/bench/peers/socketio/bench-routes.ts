// The benchmark's trigger beside Socket.IO (which answers only under /socket.io/): POST /publish emits to
// a workspace's room, as the origin system's services did on a job update. It trusts the caller: the
// server listens on loopback only.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Server } from "socket.io";
import { type ClientToServerEvents, type PublishRequest, roomOf, type ServerToClientEvents } from "./protocol.js";

/** One request may ask for a burst, not for an unbounded loop. */
const MAX_COUNT = 10_000;

type PeerServer = Server<ClientToServerEvents, ServerToClientEvents>;

const readJson = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
};

const isPublishRequest = (body: unknown): body is PublishRequest =>
  typeof body === "object" &&
  body !== null &&
  "workspaceId" in body &&
  typeof body.workspaceId === "string" &&
  "event" in body &&
  typeof body.event === "string" &&
  (!("count" in body) || (Number.isInteger(body.count) && Number(body.count) >= 1 && Number(body.count) <= MAX_COUNT));

const reply = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

export const benchRoutes = (io: PeerServer) => {
  let lastId = 0;

  const publish = (request: PublishRequest) => {
    const room = roomOf(request.workspaceId);
    for (let i = 0; i < (request.count ?? 1); i++) {
      lastId += 1;
      io.to(room).emit("event", {
        workspaceId: request.workspaceId,
        id: String(lastId),
        event: request.event,
        data: request.data,
        ts: Date.now(),
      });
    }
    return { published: request.count ?? 1 };
  };

  return async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== "POST" || request.url !== "/publish") return reply(response, 404, { error: "not_found" });
    const body = await readJson(request).catch(() => undefined);
    if (!isPublishRequest(body))
      return reply(response, 400, { error: "expected {workspaceId, event, data, count? (1 to 10000)}" });
    reply(response, 200, publish(body));
  };
};
