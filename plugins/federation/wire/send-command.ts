// A command to a peer, retried with backoff while the peer can't be reached. Retrying is safe because the
// peer keys commands by commandId; a peer that answers "no" is not asked again.
import { isTesseraError } from "tessera/plugin";
import type { ActingUser } from "../identity/acting-user";
import type { PeerEntry } from "../peers/peer-cache";
import { backoffMs } from "./backoff";
import type { CommandName } from "./constants";
import { type SendDeps, sendMessage } from "./send";

const RETRYABLE = new Set(["ERR_FED_UNREACHABLE", "ERR_FED_RESPONSE"]);

export interface CommandOptions {
  /** Defaults to `delivery.commandAttempts`. */
  attempts?: number;
  timeoutMs?: number;
  /** The user on whose behalf the command is sent, signed into it. */
  actor?: ActingUser;
}

export const sendCommand = async (
  deps: SendDeps,
  peer: PeerEntry,
  name: CommandName,
  commandId: string,
  args: object,
  options: CommandOptions = {},
): Promise<unknown> => {
  const { commandAttempts, baseDelayMs, maxDelayMs } = deps.config.delivery;
  const attempts = options.attempts ?? commandAttempts;
  const body = { name, commandId, args, ...(options.actor ? { actor: options.actor } : {}) };
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendMessage(deps, peer, "command", body, { timeoutMs: options.timeoutMs });
    } catch (error) {
      if (attempt >= attempts || !isTesseraError(error) || !RETRYABLE.has(error.code)) throw error;
      await Bun.sleep(backoffMs(attempt, baseDelayMs, maxDelayMs));
    }
  }
};
