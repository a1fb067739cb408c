// A peer that answered "no" (a problem+json, or a signed response with ok: false), as opposed to one
// that could not be reached. Callers branch on the difference: a refusal means nothing ran there.
// `acrossTheHop` turns either into what the user who asked through this instance is told.
import { isTesseraError, TesseraError } from "tessera/plugin";
import { fedError } from "../errors";

// Statuses that mean the same to our caller as to us; anything else is a fault between instances (502).
const PASSED_THROUGH = new Set([403, 404, 409, 422, 429]);
const CODE = /^ERR_[A-Z0-9_]{1,60}$/;

const retryAfterHeader = (retryAfter: string | null) =>
  retryAfter !== null && /^\d{1,6}$/.test(retryAfter) ? { "Retry-After": retryAfter } : undefined;

export class PeerRefusal extends TesseraError {
  readonly peerStatus: number;

  constructor(peerId: string, peerStatus: number, code: string, message: string, retryAfter: string | null) {
    const passed = PASSED_THROUGH.has(peerStatus);
    const peerCode = CODE.test(code) ? code : "ERR_FED_REFUSED";
    // A peer's 400, 401 or 5xx says this instance sent something it could not take: the user's request was fine.
    super(passed ? peerCode : "ERR_FED_PEER_UNAVAILABLE", `Peer ${peerId} refused: ${message.slice(0, 500)}`, {
      status: passed ? peerStatus : 502,
      details: passed ? { peer: peerId, peerStatus } : { peer: peerId, peerStatus, peerCode },
      headers: passed ? retryAfterHeader(retryAfter) : undefined,
    });
    this.name = "PeerRefusal";
    this.peerStatus = peerStatus;
  }
}

const timedOut = (error: unknown): boolean => {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (isTesseraError(cause) && cause.code === "ERR_FETCH_TIMEOUT") return true;
    if (cause.name === "TimeoutError") return true;
  }
  return false;
};

/**
 * What the user who asked through this instance is told when a peer did not carry out a command: a
 * refusal as is; a peer that did not answer in time 504 ERR_FED_PEER_TIMEOUT; one that could not be
 * reached or answered nonsense 502 ERR_FED_PEER_UNAVAILABLE. Anything else is this instance's own failure.
 */
export const acrossTheHop = (peerId: string, error: unknown, details: Record<string, unknown> = {}): unknown => {
  if (error instanceof PeerRefusal || !isTesseraError(error)) return error;
  if (error.code !== "ERR_FED_UNREACHABLE" && error.code !== "ERR_FED_RESPONSE") return error;
  if (timedOut(error)) {
    return fedError("ERR_FED_PEER_TIMEOUT", 504, `Peer ${peerId} did not answer in time`, {
      details: { peer: peerId, ...details },
      cause: error,
    });
  }
  const reason = error.code === "ERR_FED_RESPONSE" ? "answered with something unusable" : "could not be reached";
  return fedError("ERR_FED_PEER_UNAVAILABLE", 502, `Peer ${peerId} ${reason}`, {
    details: { peer: peerId, ...details },
    cause: error,
  });
};
