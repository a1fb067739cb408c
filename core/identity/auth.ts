// Principal resolution as a chain: the core resolves sessions; plugins register resolvers for API keys,
// IdP access tokens and peers. Routes ask for what they need through one set of helpers.
import { andThen, type MaybePromise } from "../async/maybe-promise";
import { forbidden, notFound, unauthenticated } from "../errors/tessera-error";
import { requestMemo } from "../http/request-memo";
import { hasRole } from "./roles";
import type { AdminEntry, Principal, Role, User } from "./types";

/**
 * Returns a principal, or null when the request carries no credential this resolver understands.
 * Throws (401) when it carries one that it understands and that is invalid.
 */
export type PrincipalResolver = (request: Request) => Promise<Principal | null> | Principal | null;

export type UserPrincipal = Extract<Principal, { kind: "user" }>;

export interface Auth {
  /** Add a resolver; lower `order` runs first (sessions are 0). */
  register(name: string, resolver: PrincipalResolver, order?: number): void;
  principal(request: Request): Promise<Principal | null>;
  /**
   * `principal` for hot paths: the value itself when every resolver that runs answers at once, a promise
   * otherwise (see maybe-promise.ts). Code that is not on a hot path awaits `principal` instead.
   */
  principalNow(request: Request): MaybePromise<Principal | null>;
  requireUser(request: Request): Promise<UserPrincipal>;
  /** `requireUser` for hot paths: the value itself when the principal is there at once, a promise otherwise. */
  requireUserNow(request: Request): MaybePromise<UserPrincipal>;
  requireAdmin(request: Request): Promise<UserPrincipal>;
  /** The user's role in a workspace, at least `needed`; a non-member gets 404 so ids can't be probed. */
  requireRole(request: Request, workspaceId: string, needed: Role): Promise<{ principal: UserPrincipal; role: Role }>;
  isAdmin(user: User): boolean;
  /**
   * Looks up the users that config `admins` names by identity. Run at start and whenever a user changes
   * (a first sign-in links a new identity), so an identity signing in for the first time is known here.
   */
  refreshAdmins(): Promise<void>;
  /** Replaces the config `admins` list (a reload) and looks up the identities it names. */
  setAdmins(admins: readonly AdminEntry[]): Promise<void>;
  /** The principal already asked for in this request, if any; never resolves one (the access log). */
  peek(request: Request): MaybePromise<Principal | null> | undefined;
}

interface AuthDeps {
  admins: readonly AdminEntry[];
  roleOf: (workspaceId: string, userId: string) => Promise<Role | null>;
  /** The user an identity is linked to, for `admins` entries that name one. */
  userOfIdentity?: (issuer: string, subject: string) => MaybePromise<User | null>;
}

export const createAuth = ({ admins, roleOf, userOfIdentity }: AuthDeps): Auth => {
  const resolvers: { name: string; resolver: PrincipalResolver; order: number }[] = [];
  const emailsOf = (entries: readonly AdminEntry[]) =>
    new Set(entries.flatMap((entry) => (typeof entry === "string" ? [entry.trim().toLowerCase()] : [])));
  const identitiesOf = (entries: readonly AdminEntry[]) => entries.flatMap((entry) => (typeof entry === "string" ? [] : [entry]));
  let adminEmails = emailsOf(admins);
  let adminIdentities = identitiesOf(admins);
  let identityAdmins: ReadonlySet<string> = new Set();
  const resolved = requestMemo<MaybePromise<Principal | null>>("tessera.principal");

  // Resolvers that answer synchronously (API keys on one instance) cost no microtask each; the chain
  // only turns asynchronous at the first resolver that returns a promise.
  const resolveFrom = (request: Request, index: number): Principal | null | Promise<Principal | null> => {
    for (let at = index; at < resolvers.length; at++) {
      const found = resolvers[at]?.resolver(request) ?? null;
      if (found instanceof Promise) return found.then((principal) => principal ?? resolveFrom(request, at + 1));
      if (found) return found;
    }
    return null;
  };

  // One resolution per request, whoever asks: the outcome, a promise of it, or its failure as a rejected promise.
  const principalNow = (request: Request): MaybePromise<Principal | null> => {
    const known = resolved.get(request);
    if (known !== undefined) return known;
    let outcome: MaybePromise<Principal | null>;
    try {
      outcome = resolveFrom(request, 0);
    } catch (error) {
      const failed = Promise.reject(error);
      failed.catch(() => undefined);
      resolved.set(request, failed);
      throw error;
    }
    resolved.set(request, outcome);
    return outcome;
  };

  let refreshes = 0;
  const refreshAdmins = async () => {
    if (!userOfIdentity) return;
    const refresh = ++refreshes;
    const users = await Promise.all(adminIdentities.map(({ issuer, sub }) => userOfIdentity(issuer, sub)));
    // Two refreshes racing: the one started last has seen the most links.
    if (refresh !== refreshes) return;
    identityAdmins = new Set(users.flatMap((user) => (user ? [user.id] : [])));
  };

  const principal = async (request: Request): Promise<Principal | null> => principalNow(request);

  const asUser = (found: Principal | null): UserPrincipal => {
    if (!found) throw unauthenticated("Sign in or send a session token", { headers: { "WWW-Authenticate": "Bearer" } });
    if (found.kind !== "user") throw forbidden("This route is for users, not services or peers");
    return found;
  };

  const requireUserNow = (request: Request): MaybePromise<UserPrincipal> => andThen(principalNow(request), asUser);
  const requireUser = async (request: Request): Promise<UserPrincipal> => requireUserNow(request);

  return {
    register(name, resolver, order = 100) {
      resolvers.push({ name, resolver, order });
      resolvers.sort((a, b) => a.order - b.order);
    },
    principal,
    principalNow,
    requireUser,
    requireUserNow,
    async requireAdmin(request) {
      const user = await requireUser(request);
      if (!user.isAdmin) throw forbidden("Instance administrators only");
      return user;
    },
    async requireRole(request, workspaceId, needed) {
      const user = await requireUser(request);
      const role = await roleOf(workspaceId, user.user.id);
      if (!role) throw notFound("No such workspace", { path: workspaceId });
      if (!hasRole(role, needed)) throw forbidden(`Needs the ${needed} role in this workspace`);
      return { principal: user, role };
    },
    // An email counts only when verified: anyone can claim an address at a provider, unverified.
    isAdmin: (user) =>
      user.isAdmin ||
      identityAdmins.has(user.id) ||
      (user.emailVerified && user.guestOf === null && user.email !== null && adminEmails.has(user.email.toLowerCase())),
    peek: (request) => resolved.get(request),
    async setAdmins(entries) {
      adminEmails = emailsOf(entries);
      adminIdentities = identitiesOf(entries);
      await refreshAdmins();
    },
    refreshAdmins,
  };
};
