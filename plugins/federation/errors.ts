// The federation plugin's error codes, in one place so callers, peers and tests branch on the same strings.
import { type ErrorOptions, type PermissionDenied, TesseraError } from "tessera/plugin";

export type FederationErrorCode =
  /** A message body over 64 KiB, refused before parsing. */
  | "ERR_FED_TOO_LARGE"
  /** An inbox request that is not `application/jose`. */
  | "ERR_FED_MEDIA_TYPE"
  /** Not a compact JWS, wrong header, claims or body of the wrong shape. */
  | "ERR_FED_MALFORMED"
  /** The signature does not verify with the key named by `kid`. */
  | "ERR_FED_SIGNATURE"
  /** A `kid` that is not pinned for the sender (or whose overlap window has ended). */
  | "ERR_FED_UNKNOWN_KEY"
  /** The sender is not a peer, or not one in a state that may send this message. */
  | "ERR_FED_PEER"
  | "ERR_FED_AUDIENCE"
  /** `iat` outside ±60 s, `exp` too far out or already past. */
  | "ERR_FED_CLOCK"
  | "ERR_FED_REPLAY"
  /** A command, agent type or peer host this instance did not grant. */
  | "ERR_FED_NOT_GRANTED"
  /** A federated sign-in's assertion failed a check (`reason` in the details says which). */
  | "ERR_FED_ASSERTION"
  /** Same commandId, other arguments. */
  | "ERR_FED_COMMAND_CONFLICT"
  /** Between instances: the peer could not be reached within the retry budget. */
  | "ERR_FED_UNREACHABLE"
  /** Between instances: the peer's answer was unsigned, mis-signed or not bound to the command. */
  | "ERR_FED_RESPONSE"
  /** To a user asking through this instance (502): the peer is down, or answered something unusable. */
  | "ERR_FED_PEER_UNAVAILABLE"
  /** To a user asking through this instance (504): the peer did not answer in time. */
  | "ERR_FED_PEER_TIMEOUT"
  /** A peer's guest asked to reach another peer through this instance. */
  | "ERR_FED_GUEST_RELAY"
  | "ERR_AGENT_TYPE"
  | "ERR_AGENT_TIMEOUT"
  /** The global or per-peer concurrency limit is reached. */
  | "ERR_AGENT_LIMIT"
  /** The agent runs on another instance sharing this database, which did not end it when asked. */
  | "ERR_AGENT_ELSEWHERE";

export const fedError = (
  code: FederationErrorCode,
  status: number,
  message: string,
  options: Omit<ErrorOptions, "status"> = {},
) => new TesseraError(code, message, { ...options, status });

/** ctx.fetch refused a host (a redirect elsewhere, say): for peers that is a config matter, not a crash. */
export const hostNotGranted = (denied: PermissionDenied) =>
  fedError(
    "ERR_FED_NOT_GRANTED",
    403,
    `${denied.value} is not among the hosts peers may live on; add it to plugins.federation.peers.allowedHosts`,
    {
      path: "plugins.federation.peers.allowedHosts",
      cause: denied,
    },
  );
