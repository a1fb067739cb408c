// A bearer JWT from the identity provider, verified locally with jose against the cached keys: RS256
// only, exact issuer and audience, and an `exp` that must be present and in the future; then the user
// linked to its subject.
import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from "@nestjs/common";
import { jwtVerify } from "jose";
import { SessionStore } from "../common/session-store.js";
import { PeerConfig } from "./peer-config.js";
import { bearerToken, type JwtRequest } from "./requests.js";

@Injectable()
export class JwtGuard implements CanActivate {
  constructor(
    private readonly config: PeerConfig,
    private readonly sessions: SessionStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<JwtRequest>();
    try {
      const { payload } = await jwtVerify(bearerToken(request), this.config.jwtKeys, {
        algorithms: ["RS256"],
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ["exp"],
      });
      const user = this.sessions.userOfIdentity(this.config.issuer, payload.sub ?? "");
      if (!user) throw new Error("no user is linked to this subject");
      request.claims = payload;
      request.user = user;
      return true;
    } catch (error) {
      throw new UnauthorizedException(undefined, { cause: error });
    }
  }
}
