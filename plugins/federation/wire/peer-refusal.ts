// A peer that answered "no" (a problem+json, or a signed response with ok: false), as opposed to one
// that could not be reached. Callers branch on the difference: a refusal means nothing ran there.
import { TesseraError } from "../../../core/errors/tessera-error";

// Statuses that mean the same to our caller as to us; anything else is a fault between instances (502).
const PASSED_THROUGH = new Set([403, 404, 409, 422, 429]);
const CODE = /^ERR_[A-Z0-9_]{1,60}$/;

export class PeerRefusal extends TesseraError {
  readonly peerStatus: number;

  constructor(peerId: string, peerStatus: number, code: string, message: string, retryAfter: string | null) {
    super(CODE.test(code) ? code : "ERR_FED_REFUSED", `Peer ${peerId} refused: ${message.slice(0, 500)}`, {
      status: PASSED_THROUGH.has(peerStatus) ? peerStatus : 502,
      details: { peer: peerId, peerStatus },
      headers: retryAfter !== null && /^\d{1,6}$/.test(retryAfter) ? { "Retry-After": retryAfter } : undefined,
    });
    this.name = "PeerRefusal";
    this.peerStatus = peerStatus;
  }
}
