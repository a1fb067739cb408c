// GET /workspaces/:id/events: the workspace's events as Server-Sent Events, for clients that can't
// hold a WebSocket. Everything that can fail is checked before the stream starts, so failures are
// problem+json: 401/403 (not a user), 406 (Accept), 400 (bad resume id), 404, 429, 503.

import { Elysia, t } from "elysia";
import { type MaybePromise, parseSince, responses, TesseraError } from "tessera/plugin";
import type { Auth } from "tessera/plugin/identity";
import type { PeerAddress } from "../admission";
import { userIdentity } from "../credentials";
import { acceptsEventStream } from "./accepts";
import type { EventStreams } from "./streams";

export const SSE_ROUTE = "/workspaces/:id/events";

export interface EventStreamRouteOptions {
  auth: Auth;
  admit(request: Request, server: PeerAddress): MaybePromise<void>;
  streams: EventStreams;
}

// app.handle (tests, no server) has no peer address; admission then counts them as one.
const NO_PEER: PeerAddress = { requestIP: () => null };

/** Last-Event-ID (what EventSource sends on reconnect) wins over ?since= (the first connect's). */
const resumeFrom = (request: Request, since: unknown): string | undefined => {
  const last = request.headers.get("last-event-id")?.trim();
  if (last) {
    parseSince(last);
    return last;
  }
  if (since === undefined) return undefined;
  if (typeof since !== "string") throw new TesseraError("ERR_BAD_REQUEST", "Send one `since`", { status: 400, path: "since" });
  parseSince(since);
  return since;
};

export const eventStreamRoutes = ({ auth, admit, streams }: EventStreamRouteOptions) =>
  new Elysia({ name: "tessera-sse" }).get(
    SSE_ROUTE,
    async ({ request, server, params, query }) => {
      await admit(request, server ?? NO_PEER);
      const principal = await auth.requireUser(request);
      if (!acceptsEventStream(request.headers.get("accept"))) {
        throw new TesseraError("ERR_NOT_ACCEPTABLE", "This route answers with text/event-stream only; accept it", {
          status: 406,
        });
      }
      const since = resumeFrom(request, query.since);
      return streams.connect(userIdentity(principal), params.id, since);
    },
    {
      detail: {
        summary: "Follow a workspace's events as Server-Sent Events (resume with Last-Event-ID or ?since=)",
        tags: ["websocket"],
        responses: responses(
          {
            200: {
              description: "The same events as the WebSocket's, one per SSE message (docs/websocket.md)",
              body: { "text/event-stream": t.String() },
            },
          },
          401,
          404,
          406,
          422,
          429,
        ),
      },
    },
  );
