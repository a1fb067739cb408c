// What the guards check against, built once at start-up and provided under its class as the DI token.
import type { JWTVerifyGetKey } from "jose";

export class PeerConfig {
  constructor(
    /** SHA-256 digests of the accepted API keys. */
    readonly apiKeyDigests: readonly Buffer[],
    /** The issuer's signing keys, parsed once from a JWKS file and kept in memory. */
    readonly jwtKeys: JWTVerifyGetKey,
    readonly issuer: string,
    readonly audience: string,
  ) {}
}
