// Posts one signed message to a peer's inbox and returns the result of its signed response, after
// checking that the response is signed by the peer's pinned key and bound to this message's jti.
import { isTesseraError, PermissionDenied, readCapped } from "tessera/plugin";
import { fedError, hostNotGranted } from "../errors";
import type { Federation } from "../federation";
import { keyValid } from "../identity/jwk";
import type { PeerEntry } from "../peers/peer-cache";
import { INBOX_PATH, MAX_REPLY_BYTES, MEDIA_TYPE, type MessageType, nowSeconds } from "./constants";
import { checkClock, decodeJws, verifySignature } from "./jws";
import { typedMessage } from "./message";
import { PeerRefusal } from "./peer-refusal";
import { signMessage } from "./sign";

export type SendDeps = Pick<Federation, "self" | "keys" | "fetch" | "config">;

export interface SendOptions {
  timeoutMs?: number;
}

const unreachable = (peer: PeerEntry, reason: string, cause?: unknown) =>
  fedError("ERR_FED_UNREACHABLE", 504, `Peer ${peer.peer.id} at ${peer.peer.url} could not be reached: ${reason}`, {
    details: { peer: peer.peer.id },
    cause,
  });

const badResponse = (peer: PeerEntry, reason: string, cause?: unknown) =>
  fedError("ERR_FED_RESPONSE", 502, `Peer ${peer.peer.id} answered with an unusable response: ${reason}`, {
    details: { peer: peer.peer.id },
    cause,
  });

const verifyResponse = async (deps: SendDeps, peer: PeerEntry, raw: Uint8Array, jti: string) => {
  try {
    const jws = decodeJws(raw);
    const pinned = peer.keys.get(jws.kid);
    if (!pinned || !keyValid(pinned.notAfter, nowSeconds()))
      throw badResponse(peer, `signed with key "${jws.kid}", not one pinned for it`);
    const claims = await verifySignature(jws, pinned.key);
    if (claims.iss !== peer.peer.id || claims.aud !== deps.self.id) throw badResponse(peer, "iss or aud do not match");
    checkClock(claims, nowSeconds());
    const message = typedMessage(claims);
    if (typeof message === "string") throw badResponse(peer, message);
    if (message.type !== "response") throw badResponse(peer, `a ${message.type} message instead of a response`);
    if (message.body.re !== jti) throw badResponse(peer, "the response is bound to another message");
    return message.body;
  } catch (error) {
    if (isTesseraError(error) && error.code === "ERR_FED_RESPONSE") throw error;
    throw badResponse(peer, error instanceof Error ? error.message : String(error), error);
  }
};

const readProblem = (raw: Uint8Array): { code: string; detail: string } => {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(raw));
    if (typeof value === "object" && value !== null) {
      const code = "code" in value && typeof value.code === "string" ? value.code : "ERR_FED_REFUSED";
      const detail = "detail" in value && typeof value.detail === "string" ? value.detail : "no detail";
      return { code, detail };
    }
  } catch {
    // Not JSON: the status alone says what happened; the body is not worth more than that.
  }
  return { code: "ERR_FED_REFUSED", detail: "no readable problem document" };
};

/** A rotation is announced with the key peers have pinned, not with the new one they have yet to learn. */
const signerFor = (deps: SendDeps, body: object) =>
  "name" in body && body.name === "instance.updated" ? deps.keys.handover() : deps.keys.current();

export const sendMessage = async (
  deps: SendDeps,
  peer: PeerEntry,
  type: MessageType,
  body: object,
  options: SendOptions = {},
): Promise<unknown> => {
  const signed = await signMessage(signerFor(deps, body), { iss: deps.self.id, aud: peer.peer.id, type, body });
  let response: Response;
  let raw: Uint8Array;
  try {
    response = await deps.fetch(`${peer.peer.url}${INBOX_PATH}`, {
      method: "POST",
      headers: { "content-type": MEDIA_TYPE, accept: `${MEDIA_TYPE}, application/problem+json` },
      body: signed.jws,
      timeoutMs: options.timeoutMs ?? deps.config.delivery.timeoutMs,
    });
    raw = await readCapped(response, MAX_REPLY_BYTES, {
      tooLarge: () => badResponse(peer, `larger than ${MAX_REPLY_BYTES} bytes`),
    });
  } catch (error) {
    if (error instanceof PermissionDenied) throw hostNotGranted(error);
    if (isTesseraError(error) && error.code === "ERR_FED_RESPONSE") throw error;
    throw unreachable(peer, error instanceof Error ? error.message : String(error), error);
  }
  const contentType = response.headers.get("content-type") ?? "";
  if (contentType.startsWith(MEDIA_TYPE)) {
    const answer = await verifyResponse(deps, peer, raw, signed.jti);
    if (answer.ok) return answer.result;
    throw new PeerRefusal(
      peer.peer.id,
      response.status,
      answer.error.code,
      answer.error.message,
      response.headers.get("retry-after"),
    );
  }
  if (response.status >= 400 && response.status < 500) {
    const problem = readProblem(raw);
    throw new PeerRefusal(peer.peer.id, response.status, problem.code, problem.detail, response.headers.get("retry-after"));
  }
  if (response.status >= 500) throw unreachable(peer, `it answered ${response.status}`);
  throw badResponse(peer, `an unsigned ${response.status} response`);
};
