// Connections opened with socket.io-client, as a dashboard on the origin system connected: the realistic
// client, whose own decoding costs about as much per event as the server's fan-out.
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import type { Connector } from "./connection.js";
import type { ClientToServerEvents, ServerToClientEvents } from "./protocol.js";

export const libraryConnector: Connector = (url, token, localAddress) =>
  new Promise((resolve, reject) => {
    // engine.io-client passes localAddress on to ws under Node, though its option types do not list it.
    const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
      // WebSocket from the start, as Tessera's clients connect: Socket.IO's default long-polling
      // handshake would add HTTP round trips to every connection.
      transports: ["websocket"],
      auth: { token },
      // One Manager (and so one connection) per socket: by default every io() to one URL shares one.
      forceNew: true,
      reconnection: false,
      localAddress,
    };
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, options);
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
    socket.once("connect", () =>
      resolve({
        async subscribe(workspaceId) {
          const reply = await socket.emitWithAck("subscribe", { workspaceId });
          if (!reply.ok) throw new Error(`subscribe to ${workspaceId} refused: ${reply.error}`);
        },
        onEvent: (listener) => socket.on("event", listener),
        close: () => socket.close(),
      }),
    );
  });
