// `auth.*`: the principal of a request the core forwarded, resolved from the original Request (its
// credentials never reach the child). A request number the core does not hold in flight is a 401.
import { Type } from "@sinclair/typebox";
import { unauthenticated } from "../../errors/tessera-error";
import type { Auth } from "../../identity/auth";
import type { Channel } from "../wire/channel";
import { paramsOf } from "./params";

const Role = Type.Union([Type.Literal("owner"), Type.Literal("admin"), Type.Literal("member"), Type.Literal("viewer")]);
const ForRequest = Type.Object({ request: Type.Integer({ minimum: 0 }) });
const principalParams = paramsOf("auth.principal", ForRequest);
const userParams = paramsOf("auth.requireUser", ForRequest);
const adminParams = paramsOf("auth.requireAdmin", ForRequest);
const roleParams = paramsOf(
  "auth.requireRole",
  Type.Object({ request: Type.Integer({ minimum: 0 }), workspaceId: Type.String({ minLength: 1, maxLength: 200 }), role: Role }),
);

/** The requests forwarded to one child and not yet answered, by the number the child knows them by. */
export type InFlight = ReadonlyMap<number, Request>;

export const serveAuth = (channel: Channel, auth: Auth, inFlight: InFlight): void => {
  const requestOf = (number: number): Request => {
    const request = inFlight.get(number);
    if (!request) throw unauthenticated();
    return request;
  };
  channel.handle("auth.principal", (params) => auth.principal(requestOf(principalParams(params).request)));
  channel.handle("auth.requireUser", (params) => auth.requireUser(requestOf(userParams(params).request)));
  channel.handle("auth.requireAdmin", (params) => auth.requireAdmin(requestOf(adminParams(params).request)));
  channel.handle("auth.requireRole", (params) => {
    const { request, workspaceId, role } = roleParams(params);
    return auth.requireRole(requestOf(request), workspaceId, role);
  });
};
