// What the console reads from the API and the event stream, checked at the edge: event data is
// whatever the server published, so a record is used only once its identifying fields are there.
import type { JobSummary } from "../../coordinator/job";

export interface Workspace {
  id: string;
  name: string;
  role: "owner" | "admin" | "member" | "viewer";
  createdAt: number;
}

export interface Me {
  user: { id: string; email: string | null; name: string | null };
  isAdmin: boolean;
  workspaces: Workspace[];
}

/** A job as the coordinator's API and events describe it; the console reads it within one workspace. */
export type Job = Omit<JobSummary, "workspaceId">;

export interface Agent {
  id: string;
  agentType: string;
  status: string;
  runsOn: string | null;
  /** Who asked for the run: its email, else its name or id. */
  actingUser: string | null;
  exitCode: number | null;
  output: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export interface PeerGrants {
  commands: string[];
  agentTypes: string[];
}

export interface Peer {
  id: string;
  url: string;
  name: string | null;
  status: string;
  grants: PeerGrants;
  /** A known peer asking again: where it was before, and whether its keys are new. */
  returning: { previousUrl: string; keysChanged: boolean } | null;
  updatedAt: number;
}

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields => typeof value === "object" && value !== null;

const has = (value: Fields, strings: string[], numbers: string[]): boolean =>
  strings.every((key) => typeof value[key] === "string") && numbers.every((key) => typeof value[key] === "number");

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" ? value : null);

export const toJob = (value: unknown): Job | null => {
  if (!isFields(value) || !has(value, ["id", "type", "status"], ["progress", "createdAt", "updatedAt"])) return null;
  return {
    id: String(value.id),
    type: String(value.type),
    title: str(value.title),
    status: String(value.status),
    progress: Number(value.progress),
    message: str(value.message),
    error: str(value.error),
    createdAt: Number(value.createdAt),
    updatedAt: Number(value.updatedAt),
  };
};

const actingUserOf = (value: unknown): string | null =>
  isFields(value) ? (str(value.email) ?? str(value.name) ?? str(value.id)) : null;

export const toAgent = (value: unknown): Agent | null => {
  if (!isFields(value) || !has(value, ["id", "agentType", "status"], ["createdAt"])) return null;
  return {
    id: String(value.id),
    agentType: String(value.agentType),
    status: String(value.status),
    runsOn: str(value.runsOn),
    actingUser: actingUserOf(value.actingUser),
    exitCode: num(value.exitCode),
    output: str(value.output),
    createdAt: Number(value.createdAt),
    startedAt: num(value.startedAt),
    endedAt: num(value.endedAt),
  };
};

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];

export const toPeer = (value: unknown): Peer | null => {
  if (!isFields(value) || !has(value, ["id", "url", "status"], ["updatedAt"])) return null;
  const grants = isFields(value.grants) ? value.grants : {};
  return {
    id: String(value.id),
    url: String(value.url),
    name: str(value.name),
    status: String(value.status),
    grants: { commands: strings(grants.commands), agentTypes: strings(grants.agentTypes) },
    returning:
      isFields(value.returning) && typeof value.returning.previousUrl === "string"
        ? { previousUrl: value.returning.previousUrl, keysChanged: value.returning.keysChanged === true }
        : null,
    updatedAt: Number(value.updatedAt),
  };
};

const ROLES = ["owner", "admin", "member", "viewer"] as const;

export const toWorkspace = (value: unknown): Workspace | null => {
  if (!isFields(value) || !has(value, ["id", "name"], ["createdAt"])) return null;
  const role = ROLES.find((known) => known === value.role);
  if (!role) return null;
  return { id: String(value.id), name: String(value.name), role, createdAt: Number(value.createdAt) };
};

/** The records under `key` of a list response that `parse` accepts. */
export const listOf = <T>(body: unknown, key: string, parse: (value: unknown) => T | null): T[] => {
  const items = isFields(body) ? body[key] : undefined;
  if (!Array.isArray(items)) return [];
  return items.map(parse).filter((item): item is T => item !== null);
};

export const toMe = (body: unknown): Me | null => {
  if (!isFields(body) || !isFields(body.user) || typeof body.user.id !== "string") return null;
  return {
    user: { id: body.user.id, email: str(body.user.email), name: str(body.user.name) },
    isAdmin: body.isAdmin === true,
    workspaces: listOf(body, "workspaces", toWorkspace),
  };
};
