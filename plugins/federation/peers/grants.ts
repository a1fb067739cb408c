// What a peer may do here: which commands, which agent types it may spawn, and (optionally) on behalf
// of which of its users. Nothing unless granted.
import { type Static, Type } from "@sinclair/typebox";
import { AGENT_TYPE_PATTERN } from "../config";
import { fedError } from "../errors";
import { COMMAND_NAMES, type CommandName } from "../wire/constants";
import { literals } from "../wire/literals";

export const GrantsSchema = Type.Object(
  {
    commands: Type.Array(literals(COMMAND_NAMES), { uniqueItems: true }),
    agentTypes: Type.Array(Type.String({ pattern: AGENT_TYPE_PATTERN }), { uniqueItems: true, maxItems: 100 }),
    /** When set, spawn and kill only on behalf of these hub users (their ids or emails). */
    users: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 320 }), {
        uniqueItems: true,
        maxItems: 1000,
        description: "The peer's users (ids or emails) it may act for; leave out for any",
      }),
    ),
  },
  { additionalProperties: false },
);

export type PeerGrants = Static<typeof GrantsSchema>;

export const noGrants = (): PeerGrants => ({ commands: [], agentTypes: [] });

export const requireGrant = (peerId: string, grants: PeerGrants, command: CommandName, agentType?: string): void => {
  if (!grants.commands.includes(command)) {
    throw fedError("ERR_FED_NOT_GRANTED", 403, `This instance has not granted ${command} to peer ${peerId}`);
  }
  if (agentType !== undefined && !grants.agentTypes.includes(agentType)) {
    throw fedError("ERR_FED_NOT_GRANTED", 403, `This instance has not granted agent type "${agentType}" to peer ${peerId}`);
  }
};
