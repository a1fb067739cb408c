// Groups at the identity provider, turned into Tessera rights at each sign-in: instance admin for the
// provider's adminGroups, workspace roles for its groupRoles. A right granted by a group is marked, so
// it is taken back when the group goes, and a right given by hand is never touched.
import type { Logger } from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import { addMember, getRole, type Role, removeMember, setRole, type User, updateUser } from "tessera/plugin/identity";
import { clearFlag, hasFlag, setFlag } from "./kv";
import type { ProviderSettings } from "./settings";

const MAX_GROUPS = 1024;

/**
 * The groups a claim lists: an array of strings (Authentik, Keycloak), or one string. Undefined when
 * the claim is absent, so "no groups" (an empty list) and "not told" stay apart.
 */
export const groupsIn = (claims: Record<string, unknown>, claim: string): string[] | undefined => {
  const value = claims[claim];
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return undefined;
  return value.filter((group): group is string => typeof group === "string").slice(0, MAX_GROUPS);
};

/** A provider uses groups only when its config says what they grant. */
export const usesGroups = (settings: ProviderSettings): boolean =>
  settings.adminGroups.length > 0 || settings.groupRoles.length > 0;

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Per mapped workspace, the highest role the groups grant, or null for none. */
const wantedRoles = (settings: ProviderSettings, groups: ReadonlySet<string>): Map<string, Role | null> => {
  const wanted = new Map<string, Role | null>();
  for (const { group, workspace, role } of settings.groupRoles) {
    const current = wanted.get(workspace) ?? null;
    const granted = groups.has(group) ? role : null;
    if (granted && (!current || RANK[granted] > RANK[current])) wanted.set(workspace, granted);
    else if (!wanted.has(workspace)) wanted.set(workspace, null);
  }
  return wanted;
};

const syncAdmin = async (db: Database, settings: ProviderSettings, user: User, groups: ReadonlySet<string>) => {
  const flag = `group-admin:${user.id}`;
  const wanted = settings.adminGroups.some((group) => groups.has(group));
  if (wanted && !user.isAdmin) {
    await setFlag(db, flag);
    await updateUser(db, user.id, { isAdmin: true });
  } else if (!wanted && user.isAdmin && (await hasFlag(db, flag))) {
    await updateUser(db, user.id, { isAdmin: false });
    await clearFlag(db, flag);
  }
};

const syncRole = async (db: Database, workspace: string, userId: string, wanted: Role | null) => {
  const flag = `group-role:${workspace}:${userId}`;
  const current = await getRole(db, workspace, userId);
  if (current === null) {
    if (!wanted) return;
    await addMember(db, workspace, userId, wanted);
    await setFlag(db, flag);
    return;
  }
  if (!(await hasFlag(db, flag))) return;
  if (wanted === null) {
    await removeMember(db, workspace, userId);
    await clearFlag(db, flag);
  } else if (wanted !== current) {
    await setRole(db, workspace, userId, wanted);
  }
};

/** Brings the user's admin right and mapped workspace roles in step with `groups`. */
export const syncGroups = async (
  db: Database,
  log: Logger,
  settings: ProviderSettings,
  user: User,
  groups: readonly string[],
): Promise<void> => {
  const held = new Set(groups);
  if (settings.adminGroups.length > 0) await syncAdmin(db, settings, user, held);
  for (const [workspace, role] of wantedRoles(settings, held)) {
    try {
      await syncRole(db, workspace, user.id, role);
    } catch (error) {
      // A mapping to a deleted workspace must not stop anyone signing in.
      log.warn("a group's workspace role could not be applied", { provider: settings.id, workspace, error });
    }
  }
};
