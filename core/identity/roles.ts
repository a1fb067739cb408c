// Workspace roles are ordered: each includes what the ones below it may do.
import type { Role } from "./types";

export const ROLES: readonly Role[] = ["viewer", "member", "admin", "owner"];

const rank = (role: Role): number => ROLES.indexOf(role);

export const isRole = (value: unknown): value is Role => typeof value === "string" && ROLES.some((role) => role === value);

/** Whether someone holding `actual` (null: not a member) may do what needs `needed`. */
export const hasRole = (actual: Role | null, needed: Role): boolean => actual !== null && rank(actual) >= rank(needed);
