// ctx.auth across the boundary: the credentials stayed in the core, so each question names the request in
// flight and the core answers it from the original. A Request the child did not receive has no principal.
import type { MaybePromise } from "../../async/maybe-promise";
import { unauthenticated } from "../../errors/tessera-error";
import type { Auth, UserPrincipal } from "../../identity/auth";
import type { Principal, Role } from "../../identity/types";
import type { Channel } from "../wire/channel";
import type { AuthParams, RoleResult } from "../wire/protocol";
import { unsupported } from "./unsupported";

/** The number the core gave each request it forwarded, while the child holds the Request. */
export type RequestNumbers = WeakMap<Request, number>;

export const wireAuth = (channel: Channel, numbers: RequestNumbers): Auth => {
  const principals = new WeakMap<Request, Promise<Principal | null>>();
  const ask = <T>(method: string, request: Request, more: Omit<AuthParams, "request"> = {}): Promise<T> => {
    const number = numbers.get(request);
    if (number === undefined) return Promise.reject(unauthenticated());
    return channel.call(method, { request: number, ...more } satisfies AuthParams) as Promise<T>;
  };
  // One question per request, whoever asks, as in process.
  const principal = (request: Request): Promise<Principal | null> => {
    let known = principals.get(request);
    if (known === undefined) {
      known = ask<Principal | null>("auth.principal", request);
      principals.set(request, known);
    }
    return known;
  };
  return {
    principal,
    principalNow: (request): MaybePromise<Principal | null> => principal(request),
    requireUser: (request) => ask<UserPrincipal>("auth.requireUser", request),
    requireUserNow: (request) => ask<UserPrincipal>("auth.requireUser", request),
    requireAdmin: (request) => ask<UserPrincipal>("auth.requireAdmin", request),
    requireRole: (request, workspaceId, role: Role) =>
      ask<RoleResult & { principal: UserPrincipal }>("auth.requireRole", request, { workspaceId, role }),
    peek: (request) => principals.get(request),
    isAdmin: () => {
      throw unsupported("ctx.auth.isAdmin", "use requireAdmin(request), or a principal's isAdmin");
    },
    register: () => {
      throw unsupported("ctx.auth.register (a credential resolver)", "credentials are resolved by the core");
    },
    setAdmins: () => Promise.reject(unsupported("ctx.auth.setAdmins", "admins come from the server's config")),
    refreshAdmins: () => Promise.reject(unsupported("ctx.auth.refreshAdmins", "the core keeps the admins list")),
  };
};
