// X-API-Key as Tessera's api-key plugin checks it: the SHA-256 of the presented key compared in constant
// time against every configured digest, so the time taken does not tell which one (if any) matched.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from "@nestjs/common";
import { PeerConfig } from "./peer-config.js";

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly config: PeerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const key = context.switchToHttp().getRequest<IncomingMessage>().headers["x-api-key"];
    if (typeof key !== "string") throw new UnauthorizedException();
    const digest = createHash("sha256").update(key).digest();
    let matched = false;
    for (const known of this.config.apiKeyDigests) if (timingSafeEqual(known, digest)) matched = true;
    if (!matched) throw new UnauthorizedException();
    return true;
  }
}
