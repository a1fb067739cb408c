// The inbox's checks, cheapest first and nothing stored before the signature holds: decode the JWS, find
// the sender's pinned key (held in memory), verify, then sender state, audience, clock and body shape.
// Only a connection.request may be verified with a key it carries itself.
import { fedError } from "../errors";
import type { Federation } from "../federation";
import { type IdentityDocument, INSTANCE_ID_PATTERN, readDocument } from "../identity/document";
import { importPublicKey, keyValid } from "../identity/jwk";
import type { PeerEntry } from "../peers/peer-cache";
import { nowSeconds } from "../wire/constants";
import { checkClock, decodeJws, peekClaims, verifySignature } from "../wire/jws";
import { type Claims, type Message, typedMessage } from "../wire/message";

export interface Inbound {
  message: Message;
  /** Null only for a connection.request from an instance this one has never heard of. */
  peer: PeerEntry | null;
  /** The sender's identity document when it was read to verify a connection.request. */
  document?: IdentityDocument;
}

const INSTANCE_ID = new RegExp(INSTANCE_ID_PATTERN);

const selfSignedKey = async (kid: string, iss: string, body: unknown) => {
  const instance = typeof body === "object" && body !== null && "instance" in body ? body.instance : undefined;
  const document = await readDocument(instance);
  if (document.id !== iss) throw fedError("ERR_FED_MALFORMED", 400, "A connection.request's iss must be its instance's id");
  const jwk = document.keys.find((key) => key.kid === kid && keyValid(key.notAfter, nowSeconds()));
  if (!jwk) throw fedError("ERR_FED_UNKNOWN_KEY", 401, `Key "${kid}" is not in the instance document the request carries`);
  return { key: await importPublicKey(jwk), document };
};

/** Whether a sender in this state may send this message at all. */
const checkSender = (peer: PeerEntry | null, claims: Claims) => {
  if (claims.type === "connection.request") return;
  if (claims.type === "response")
    throw fedError("ERR_FED_MALFORMED", 400, "A response is returned to a request, never posted to an inbox");
  if (!peer) throw fedError("ERR_FED_PEER", 403, `${claims.iss} is not a peer of this instance`);
  const { status } = peer.peer;
  if (claims.type === "connection.accept" && (status === "requested" || status === "active")) return;
  const notice =
    claims.type === "event" &&
    "name" in claims.body &&
    typeof claims.body.name === "string" &&
    claims.body.name.startsWith("connection.");
  if (notice && status === "remote_suspended") return;
  if (status !== "active") throw fedError("ERR_FED_PEER", 403, `Peer ${claims.iss} is ${status} here`, { details: { status } });
};

export const verifyInbound = async (fed: Pick<Federation, "peers" | "self">, raw: Uint8Array): Promise<Inbound> => {
  const jws = decodeJws(raw);
  const peek = peekClaims(jws.payload);
  if (!INSTANCE_ID.test(peek.iss)) throw fedError("ERR_FED_MALFORMED", 400, "iss is not an instance id");
  const peer = await fed.peers.get(peek.iss);
  const pinned = peer?.keys.get(jws.kid);
  let key: CryptoKey;
  let document: IdentityDocument | undefined;
  if (pinned && keyValid(pinned.notAfter, nowSeconds())) key = pinned.key;
  else if (peek.type === "connection.request") ({ key, document } = await selfSignedKey(jws.kid, peek.iss, peek.body));
  else if (!peer) throw fedError("ERR_FED_PEER", 403, `${peek.iss} is not a peer of this instance`);
  else
    throw fedError("ERR_FED_UNKNOWN_KEY", 401, `Key "${jws.kid}" is not pinned for peer ${peek.iss} (or its overlap has ended)`);

  const claims = await verifySignature(jws, key);
  checkSender(peer, claims);
  if (claims.aud !== fed.self.id) throw fedError("ERR_FED_AUDIENCE", 403, "The message is addressed to another instance");
  checkClock(claims, nowSeconds());
  const message = typedMessage(claims);
  if (typeof message === "string") throw fedError("ERR_FED_MALFORMED", 400, `The ${claims.type} message is invalid (${message})`);
  return { message, peer, document };
};
