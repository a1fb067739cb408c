// Identity records as the rest of the runtime sees them, whatever database holds them.

export type Role = "owner" | "admin" | "member" | "viewer";

/** A config `admins` entry: a verified email, or an identity at a provider (its issuer and subject). */
export type AdminEntry = string | { issuer: string; sub: string };

export interface User {
  id: string;
  email: string | null;
  /** The email is vouched for (see identities.ts); an unverified one is shown and used for nothing else. */
  emailVerified: boolean;
  name: string | null;
  /** Set by `tessera users create --admin`; users matching a config `admins` entry are administrators too. */
  isAdmin: boolean;
  /** A guest's federation peer: it signed in through that instance and sees only what is shared with it. */
  guestOf: string | null;
  createdAt: number;
}

export interface Session {
  id: string;
  userId: string;
  expiresAt: number;
  createdAt: number;
  lastSeenAt: number;
  revokedAt: number | null;
  /** Set by sign-in plugins: the IdP's issuer and session id (back-channel logout), the ID token (RP logout). */
  issuer: string | null;
  sid: string | null;
  idToken: string | null;
}

export interface Workspace {
  id: string;
  name: string;
  createdAt: number;
}

export interface Membership {
  workspaceId: string;
  userId: string;
  role: Role;
  createdAt: number;
}

export type Principal =
  | {
      kind: "user";
      user: User;
      isAdmin: boolean;
      sessionId?: string;
      /** When the credential stops being valid (epoch ms), so long-lived connections can end then. */
      expiresAt?: number;
      via: "session" | "token";
    }
  | {
      kind: "service";
      name: string;
      scopes: string[];
      /** The workspaces the key is bound to; absent for an unbound key, which reaches every workspace. */
      workspaces?: readonly string[];
    }
  | { kind: "peer"; peerId: string };
