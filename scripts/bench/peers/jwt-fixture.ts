// An identity provider's part in a JWT benchmark, made offline: an RS256 key pair, its public JWKS in a
// file (what the peer loads once), and a signed access token that the peer accepts.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface JwtFixture {
  jwksFile: string;
  token: string;
  issuer: string;
  audience: string;
  subject: string;
}

export const makeJwtFixture = async (dir: string, lifetimeSeconds = 3600): Promise<JwtFixture> => {
  const issuer = "https://idp.bench.invalid/";
  const audience = "tessera-bench";
  const subject = "bench-user";
  const kid = "bench-1";
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwksFile = join(dir, "jwks.json");
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] }));
  const token = await new SignJWT({ scope: "openid" })
    .setProtectedHeader({ alg: "RS256", kid, typ: "at+jwt" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(privateKey);
  return { jwksFile, token, issuer, audience, subject };
};
