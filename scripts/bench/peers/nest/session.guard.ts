// `Authorization: Bearer tss_…` or the session cookie, looked up in Tessera's session table; the user rides
// on the request.
import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from "@nestjs/common";
import { SessionStore } from "../common/session-store.js";
import { type SessionRequest, sessionToken } from "./requests.js";

@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionStore) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SessionRequest>();
    const user = this.sessions.userOf(sessionToken(request));
    if (!user) throw new UnauthorizedException();
    request.user = user;
    return true;
  }
}
