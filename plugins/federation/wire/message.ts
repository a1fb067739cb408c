// The shapes of tessera-fed/1 messages: the claims every message carries and the body of each type.
// Checked after the signature, before anything is stored or run.
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { AGENT_STATUSES } from "../agents/status";
import { AGENT_TYPE_PATTERN } from "../config";
import { ActingUserSchema } from "../identity/acting-user";
import { INSTANCE_ID_PATTERN } from "../identity/document";
import { MESSAGE_TYPES } from "./constants";
import { literals } from "./literals";

const Id = Type.String({ minLength: 1, maxLength: 128 });

export const ClaimsSchema = Type.Object({
  iss: Type.String({ pattern: INSTANCE_ID_PATTERN }),
  aud: Id,
  jti: Id,
  iat: Type.Integer(),
  exp: Type.Integer(),
  type: literals(MESSAGE_TYPES),
  body: Type.Object({}),
});

export type Claims = Static<typeof ClaimsSchema>;

export const WireAgentSchema = Type.Object({
  id: Id,
  /** The spawn command's id: how a hub matches reports that overtake the spawn's response. */
  commandId: Type.Optional(Id),
  agentType: Type.String({ pattern: AGENT_TYPE_PATTERN }),
  status: literals(AGENT_STATUSES),
  exitCode: Type.Optional(Type.Integer()),
  output: Type.Optional(Type.String({ maxLength: 65_536 })),
  startedAt: Type.Optional(Type.Integer({ minimum: 0 })),
  endedAt: Type.Optional(Type.Integer({ minimum: 0 })),
});

export type WireAgent = Static<typeof WireAgentSchema>;

export const SpawnArgsSchema = Type.Object({
  agentType: Type.String({ pattern: AGENT_TYPE_PATTERN }),
  input: Type.Optional(Type.Unknown()),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
});

const AgentIdArgs = Type.Object({ agentId: Id });

// The hub's user on whose behalf the command is sent; absent when the hub asks for itself.
const actor = Type.Optional(ActingUserSchema);

export const CommandBodySchema = Type.Union([
  Type.Object({ name: Type.Literal("agent.spawn"), commandId: Id, args: SpawnArgsSchema, actor }),
  Type.Object({ name: Type.Literal("agent.status"), commandId: Id, args: AgentIdArgs, actor }),
  Type.Object({ name: Type.Literal("agent.kill"), commandId: Id, args: AgentIdArgs, actor }),
  Type.Object({ name: Type.Literal("agent.list"), commandId: Id, args: Type.Object({}), actor }),
]);

export const ConnectionBodySchema = Type.Object({ instance: Type.Object({}) });

export const EventBodySchema = Type.Union([
  Type.Object({ name: Type.Literal("agent.updated"), agent: WireAgentSchema }),
  /** A key rotation: the sender's new identity document, signed with a key the receiver has pinned. */
  Type.Object({ name: Type.Literal("instance.updated"), instance: Type.Object({}) }),
  Type.Object({ name: literals(["connection.suspended", "connection.resumed", "connection.disconnected"] as const) }),
]);

export const ResponseBodySchema = Type.Union([
  Type.Object({ re: Id, ok: Type.Literal(true), result: Type.Optional(Type.Unknown()) }),
  Type.Object({
    re: Id,
    ok: Type.Literal(false),
    error: Type.Object({ code: Type.String({ maxLength: 100 }), message: Type.String({ maxLength: 2000 }) }),
  }),
]);

export type CommandBody = Static<typeof CommandBodySchema>;
export type EventBody = Static<typeof EventBodySchema>;
export type ResponseBody = Static<typeof ResponseBodySchema>;
export type ConnectionBody = Static<typeof ConnectionBodySchema>;

/** A claims object whose body has been checked against its type's schema. */
export type Message =
  | (Claims & { type: "connection.request" | "connection.accept"; body: ConnectionBody })
  | (Claims & { type: "command"; body: CommandBody })
  | (Claims & { type: "event"; body: EventBody })
  | (Claims & { type: "response"; body: ResponseBody });

export const claimsCheck = TypeCompiler.Compile(ClaimsSchema);
const connectionCheck = TypeCompiler.Compile(ConnectionBodySchema);
const commandCheck = TypeCompiler.Compile(CommandBodySchema);
const eventCheck = TypeCompiler.Compile(EventBodySchema);
const responseCheck = TypeCompiler.Compile(ResponseBodySchema);

interface Checker {
  Errors(value: unknown): { First(): { path: string; message: string } | undefined };
}

/** The first schema violation, for an error message a peer's developer can act on. */
export const firstError = (check: Checker, value: unknown): string => {
  const first = check.Errors(value).First();
  return first ? `${first.path || "/"}: ${first.message}` : "invalid";
};

/** Narrows claims to a typed message, or says what is wrong with its body. */
export const typedMessage = (claims: Claims): Message | string => {
  const { body } = claims;
  switch (claims.type) {
    case "connection.request":
    case "connection.accept":
      return connectionCheck.Check(body) ? { ...claims, type: claims.type, body } : `body${firstError(connectionCheck, body)}`;
    case "command":
      return commandCheck.Check(body) ? { ...claims, type: claims.type, body } : `body${firstError(commandCheck, body)}`;
    case "event":
      return eventCheck.Check(body) ? { ...claims, type: claims.type, body } : `body${firstError(eventCheck, body)}`;
    case "response":
      return responseCheck.Check(body) ? { ...claims, type: claims.type, body } : `body${firstError(responseCheck, body)}`;
  }
};
