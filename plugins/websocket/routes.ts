// The plugin's HTTP face: the upgrade route (checks, then Bun's native upgrade with the Connection as
// the socket's data) and POST /ws/ticket.
import { Type } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import { andThen, type MaybePromise, NoBody, responses, TesseraError, type UpgradeParts, upgradeNow } from "tessera/plugin";
import type { Auth } from "tessera/plugin/identity";
import type { PeerAddress } from "./admission";
import { serverOptions, TICKET_ROUTE, type WebSocketConfig } from "./config";
import type { Connection } from "./connection";
import { type Credentials, userIdentity } from "./credentials";
import type { Gateway } from "./gateway";
import type { Hub, Publisher } from "./hub";
import type { Tickets } from "./tickets";

/** The part of Bun's Server the upgrade route needs. */
interface UpgradingServer extends PeerAddress, Publisher {
  upgrade(request: Request, options: { data: Connection }): boolean;
}

export interface RouteOptions {
  config: WebSocketConfig;
  auth: Auth;
  admit(request: Request, server: PeerAddress): MaybePromise<void>;
  credentials: Credentials;
  gateway: Gateway;
  hub: Hub;
  tickets: Tickets;
}

const upgradeRequired = (path: string) =>
  new TesseraError("ERR_UPGRADE_REQUIRED", `${path} is a WebSocket endpoint; connect with a WebSocket client`, {
    status: 426,
    headers: { Upgrade: "websocket" },
  });

export const websocketRoutes = ({ config, auth, admit, credentials, gateway, hub, tickets }: RouteOptions) => {
  const open = (request: Request, server: UpgradingServer, connection: Connection): undefined => {
    hub.server = server;
    if (server.upgrade(request, { data: connection })) return undefined;
    gateway.abandon(connection);
    throw new TesseraError("ERR_BAD_REQUEST", "The WebSocket handshake is invalid (Sec-WebSocket-Key or -Version)", {
      status: 400,
    });
  };

  // Without a wait on one instance (in-memory limits, a cached session): connects are the hot path.
  const upgrade = ({ request, server, query }: UpgradeParts<UpgradingServer>): MaybePromise<undefined> => {
    if (!server || request.headers.get("upgrade")?.toLowerCase() !== "websocket") throw upgradeRequired(config.path);
    // Bun answers any other version itself, with a bare 426.
    if (request.headers.get("sec-websocket-version") !== "13") {
      throw new TesseraError("ERR_UPGRADE_REQUIRED", "Only WebSocket version 13 is supported", {
        status: 426,
        headers: { Upgrade: "websocket", "Sec-WebSocket-Version": "13" },
      });
    }
    if (gateway.stopping) {
      throw new TesseraError("ERR_UNAVAILABLE", "The server is shutting down; reconnect shortly", {
        status: 503,
        headers: { "Retry-After": "1" },
      });
    }
    return andThen(admit(request, server), () =>
      andThen(credentials.fromUpgrade(request, query), (identity) =>
        andThen(gateway.connect(identity), (connection) => open(request, server, connection)),
      ),
    );
  };

  return new Elysia({ name: "tessera-websocket", websocket: serverOptions(config) })
    .get(config.path, upgradeNow(upgrade), {
      detail: {
        summary: "Open a WebSocket for live workspace events (docs/websocket.md)",
        tags: ["websocket"],
        responses: responses(
          { 101: { description: "Switching Protocols: the messages are in docs/websocket.md", body: null } },
          400,
          401,
          403,
          426,
          429,
          503,
        ),
      },
    })
    .post(
      TICKET_ROUTE,
      async ({ request }) => {
        const principal = await auth.requireUser(request);
        return tickets.issue(userIdentity(principal));
      },
      {
        // The caller first, then the body: a ticket takes none, so anything sent is refused.
        ...NoBody((request) => auth.requireUser(request)),
        detail: {
          summary: "A single-use ticket to open a WebSocket as ?ticket= (browsers)",
          tags: ["websocket"],
          responses: responses(
            { 200: t.Object({ ticket: t.String(), expiresAt: Type.Integer({ description: "Epoch ms" }) }) },
            401,
            422,
          ),
        },
      },
    );
};
