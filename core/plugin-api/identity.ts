// `tessera/plugin/identity`: principals and the core's users, sessions and workspaces, for plugins
// that sign people in (oidc, federation) or act for them. Every function takes the `ctx.db` it works on.
export type { Auth, PrincipalResolver, UserPrincipal } from "../identity/auth";
export { type CredentialCache, type CredentialCacheOptions, createCredentialCache } from "../identity/credential-cache";
export { bearerToken, cookieValue } from "../identity/credentials";
export { findOrCreateUserByIdentity, findUserByIdentity, type IdentityClaims } from "../identity/identities";
export {
  type IdentityChange,
  type IdentityChanges,
  type IdentityListener,
  identityChanged,
  onIdentityChange,
} from "../identity/identity-changes";
export { SESSION_COOKIE } from "../identity/session-resolver";
export {
  createSession,
  findSessionByToken,
  type NewSession,
  revokeSessionByToken,
  revokeSessionsWhere,
  type SessionFilter,
} from "../identity/sessions";
export type { AdminEntry, Membership, Principal, Role, Session, User, Workspace } from "../identity/types";
export { insertUser, type NewUser, type UserChanges, updateUser } from "../identity/users";
export { addMember, getRole, removeMember, setRole } from "../identity/workspaces";
