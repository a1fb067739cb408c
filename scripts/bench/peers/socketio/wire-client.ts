// Connections that speak Socket.IO's wire protocol (Engine.IO 4 packets over a plain WebSocket) with
// nothing on top: the same handshake, auth and acks as socket.io-client, but an event is counted from
// its first two bytes, undecoded. With it the load client stays cheaper than the server it measures.
import WebSocket from "ws";
import type { Connector } from "./connection.js";
import type { SubscribeReply } from "./protocol.js";

// Engine.IO packet types (first character) and Socket.IO packet types (second, inside a "4" message).
const ENGINE_OPEN = "0";
const ENGINE_PING = "2";
const ENGINE_PONG = "3";
const SOCKET_CONNECT = "40";
const SOCKET_CONNECT_ERROR = "44";
const SOCKET_ACK = "43";
/** "42": an Engine.IO message carrying a Socket.IO EVENT; the peer's server sends no other event. */
const EVENT_PREFIX = [0x34, 0x32];

export const wireConnector: Connector = (url, token, localAddress) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, { localAddress });
    const pendingAcks = new Map<number, (reply: string) => void>();
    let lastAckId = 0;
    let onEvent = () => {};
    socket.on("error", reject);
    socket.on("message", (data: Buffer) => {
      if (data[0] === EVENT_PREFIX[0] && data[1] === EVENT_PREFIX[1]) return onEvent();
      const text = data.toString("utf8");
      if (text === ENGINE_PING) return socket.send(ENGINE_PONG);
      if (text.startsWith(ENGINE_OPEN)) return socket.send(`${SOCKET_CONNECT}${JSON.stringify({ token })}`);
      if (text.startsWith(SOCKET_CONNECT_ERROR)) {
        socket.close();
        return reject(new Error(`connection refused: ${text.slice(2)}`));
      }
      if (text.startsWith(SOCKET_ACK)) {
        const id = Number.parseInt(text.slice(2), 10);
        pendingAcks.get(id)?.(text.slice(2 + String(id).length));
        pendingAcks.delete(id);
        return;
      }
      if (text.startsWith(SOCKET_CONNECT)) {
        resolve({
          subscribe: (workspaceId) =>
            new Promise((joined, refused) => {
              lastAckId += 1;
              pendingAcks.set(lastAckId, (reply) => {
                const [answer] = JSON.parse(reply) as [SubscribeReply];
                if (answer.ok) joined();
                else refused(new Error(`subscribe to ${workspaceId} refused: ${answer.error}`));
              });
              socket.send(`42${lastAckId}${JSON.stringify(["subscribe", { workspaceId }])}`);
            }),
          onEvent: (listener) => {
            onEvent = listener;
          },
          close: () => socket.close(),
        });
      }
    });
  });
