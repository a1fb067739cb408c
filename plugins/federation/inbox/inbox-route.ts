// POST /federation/v1/inbox: size (before reading past 64 KiB), media type, then verifyInbound, (for a
// connection.request: the rate limit and every check on the request), the replay check and the grant
// check, in that order; a message refused by any of them gets a problem+json and
// nothing runs. Accepted messages get a signed response bound to their jti; a command that fails once
// accepted (a limit, bad arguments) is answered with a signed ok: false and the matching HTTP status.
import { Elysia } from "elysia";
import { type Counter, isTesseraError, responses, TesseraError } from "tessera/plugin";
import type { AnonymousLimits } from "../anonymous-limits";
import { fedError } from "../errors";
import type { Federation } from "../federation";
import { signedResponse } from "../response-schemas";
import { CLOCK_SKEW_S, INBOX_PATH, MAX_MESSAGE_BYTES, MEDIA_TYPE } from "../wire/constants";
import type { Message } from "../wire/message";
import { readCapped } from "../wire/read-body";
import { signMessage } from "../wire/sign";
import { checkActingUser, checkCommandGrant, handleCommand } from "./handle-command";
import {
  type AdmittedRequest,
  admitConnectionRequest,
  handleConnectionAccept,
  recordConnectionRequest,
} from "./handle-connection";
import { handleEvent } from "./handle-event";
import { type Inbound, verifyInbound } from "./verify-inbound";

export const tooLarge = () =>
  fedError("ERR_FED_TOO_LARGE", 413, `A federation message may be at most ${MAX_MESSAGE_BYTES} bytes`);

type Answer = { ok: true; result: unknown } | { ok: false; error: TesseraError };

const respond = async (fed: Federation, message: Message, answer: Answer): Promise<Response> => {
  const body = answer.ok
    ? { re: message.jti, ok: true, result: answer.result }
    : { re: message.jti, ok: false, error: { code: answer.error.code, message: answer.error.message } };
  const { jws } = await signMessage(fed.keys.current(), { iss: fed.self.id, aud: message.iss, type: "response", body });
  const headers = { ...(answer.ok ? {} : answer.error.headers), "content-type": MEDIA_TYPE };
  return new Response(jws, { status: answer.ok ? 200 : answer.error.status, headers });
};

/** Runs an accepted message; what a command's own failure looks like to the peer is decided here. */
const run = async (fed: Federation, inbound: Inbound, admitted: AdmittedRequest | null): Promise<Answer> => {
  const { message, peer } = inbound;
  switch (message.type) {
    case "connection.request":
      if (!admitted) throw new TesseraError("ERR_INTERNAL", "A connection.request reached run() without being admitted");
      return { ok: true, result: await recordConnectionRequest(fed, admitted) };
    case "connection.accept":
      return { ok: true, result: await handleConnectionAccept(fed, inbound) };
    case "event":
      if (!peer) throw fedError("ERR_FED_PEER", 403, `${message.iss} is not a peer of this instance`);
      return { ok: true, result: await handleEvent(fed, peer, message.body) };
    case "command": {
      if (!peer) throw fedError("ERR_FED_PEER", 403, `${message.iss} is not a peer of this instance`);
      checkCommandGrant(peer, message.body);
      await checkActingUser(fed, peer, message.body);
      try {
        return { ok: true, result: await handleCommand(fed, peer, message.body) };
      } catch (error) {
        // Not found stays a rejection: a signed "no such agent" would be no different, and it keeps one answer for every unknown id.
        if (isTesseraError(error) && error.status < 500 && error.status !== 404) return { ok: false, error };
        throw error;
      }
    }
    case "response":
      throw fedError("ERR_FED_MALFORMED", 400, "A response is returned to a request, never posted to an inbox");
  }
};

export const inboxRoute = (fed: Federation, received: Counter, limits: AnonymousLimits) =>
  new Elysia({ name: "federation-inbox" }).post(
    INBOX_PATH,
    async ({ request, server }) => {
      try {
        if (Number(request.headers.get("content-length") ?? 0) > MAX_MESSAGE_BYTES) throw tooLarge();
        const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
        if (mediaType !== MEDIA_TYPE) throw fedError("ERR_FED_MEDIA_TYPE", 415, `Send messages as ${MEDIA_TYPE}`);
        const raw = await readCapped(request.body, null, MAX_MESSAGE_BYTES, tooLarge);
        const inbound = await verifyInbound(fed, raw);
        const { message } = inbound;
        // Anyone may ask to peer, and each request leaves a replay marker and a pending peer behind.
        if (message.type === "connection.request") await limits.connectionRequest(request, server);
        // A request refused for any reason (its URL, another's pending place, a full queue) leaves no replay row.
        const admitted = message.type === "connection.request" ? await admitConnectionRequest(fed, inbound) : null;
        const fresh = await fed.replay.claim({
          jti: message.jti,
          peerId: message.iss,
          type: message.type,
          commandId: message.type === "command" ? message.body.commandId : null,
          body: message.type === "command" ? JSON.stringify(message.body.args) : null,
          expiresAt: (message.exp + CLOCK_SKEW_S) * 1000,
        });
        if (!fresh) throw fedError("ERR_FED_REPLAY", 409, `Message ${message.jti} was already received`);
        const answer = await run(fed, inbound, admitted);
        received.labels(answer.ok ? "ok" : answer.error.code).inc();
        return await respond(fed, message, answer);
      } catch (error) {
        received.labels(isTesseraError(error) && error.status < 500 ? error.code : "ERR_INTERNAL").inc();
        throw error;
      }
    },
    {
      parse: "none",
      detail: {
        summary: "Signed messages from peers (application/jose compact JWS)",
        tags: ["federation"],
        security: [],
        responses: responses(
          { 200: signedResponse("The signed answer; a refusal after the message was verified is signed too, with its status") },
          400,
          401,
          413,
          415,
          429,
        ),
      },
    },
  );
