// What a peer may do here: which commands, and which agent types it may spawn. Nothing unless granted.
import { type Static, Type } from "@sinclair/typebox";
import { AGENT_TYPE_PATTERN } from "../config";
import { fedError } from "../errors";
import { COMMAND_NAMES, type CommandName } from "../wire/constants";
import { literals } from "../wire/literals";

export const GrantsSchema = Type.Object(
  {
    commands: Type.Array(literals(COMMAND_NAMES), { uniqueItems: true }),
    agentTypes: Type.Array(Type.String({ pattern: AGENT_TYPE_PATTERN }), { uniqueItems: true, maxItems: 100 }),
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
