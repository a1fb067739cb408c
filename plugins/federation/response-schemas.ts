// What the federation routes answer, for the OpenAPI document; the shapes are peerView and agentView's.
import { type TSchema, Type } from "@sinclair/typebox";
import type { OtherResponse } from "tessera/plugin";
import { AGENT_STATUSES } from "./agents/status";
import { GrantsSchema } from "./peers/grants";
import { PEER_STATUSES } from "./peers/peer-store";
import { MEDIA_TYPE } from "./wire/constants";

const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);
const EpochMs = Type.Integer({ description: "Epoch ms" });

export const PeerView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  name: Type.String(),
  status: Type.Union(PEER_STATUSES.map((status) => Type.Literal(status))),
  grants: GrantsSchema,
  keys: Type.Array(Type.Object({ kid: Type.String(), notAfter: Type.Optional(Type.Integer()) })),
  returning: Type.Optional(Type.Object({}, { additionalProperties: true, description: "A returning peer's changed identity" })),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});

export const PeerChange = Type.Composite([PeerView, Type.Object({ notified: Type.Boolean() })]);

const ActingUser = Type.Object({ id: Type.String(), email: Nullable(Type.String()), name: Nullable(Type.String()) });

export const AuditEntries = Type.Object({
  entries: Type.Array(
    Type.Object(
      {
        peerId: Type.String(),
        command: Type.String(),
        commandId: Nullable(Type.String()),
        agentId: Nullable(Type.String()),
        actor: Nullable(ActingUser),
        outcome: Type.String({ description: '"ok", or the code of the refusal' }),
      },
      { additionalProperties: true },
    ),
  ),
});

export const AgentView = Type.Object({
  id: Type.String(),
  agentType: Type.String(),
  status: Type.Union(AGENT_STATUSES.map((status) => Type.Literal(status))),
  workspaceId: Nullable(Type.String()),
  runsOn: Nullable(Type.String({ description: "The peer the agent runs on; null when here" })),
  peerId: Nullable(Type.String({ description: "The peer that asked for this run here" })),
  actingUser: Nullable(ActingUser),
  commandId: Nullable(Type.String()),
  input: Type.Unknown(),
  timeoutMs: Nullable(Type.Integer()),
  exitCode: Nullable(Type.Integer()),
  output: Nullable(Type.String({ description: "The output's tail" })),
  createdAt: EpochMs,
  startedAt: Nullable(EpochMs),
  endedAt: Nullable(EpochMs),
});

export const AgentList = Type.Object({ agents: Type.Array(AgentView) });

export const Share = Type.Object({
  workspaceId: Type.String(),
  peerId: Type.String(),
  role: Type.Union([Type.Literal("member"), Type.Literal("viewer")]),
  createdAt: EpochMs,
});

export const KeyRotation = Type.Object({
  kid: Type.String(),
  retired: Type.Object({ kid: Type.String(), notAfter: Type.Integer({ description: "Epoch seconds" }) }),
  peers: Type.Array(Type.Object({ peer: Type.String(), notified: Type.Boolean(), error: Type.Optional(Type.String()) })),
});

/** The inbox answers with a signed response message, refusals included: its status mirrors the body's `ok`. */
export const signedResponse = (description: string): OtherResponse => ({
  description,
  body: {
    [MEDIA_TYPE]: Type.String({
      description: "Compact JWS of { re, ok, result } or { re, ok: false, error: { code, message } }",
    }),
  },
});
