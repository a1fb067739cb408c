// Bearer-JWT authenticated GET /me: Tessera (oidc plugin, the provider's access token verified with
// jose against its cached JWKS, then the linked user) against bare Elysia and Bun.serve doing the same
// inline, and NestJS with a jose guard doing it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../../core/db/open-database";
import { findOrCreateUserByIdentity } from "../../../core/identity/identities";
import { createWorkspace } from "../../../core/identity/workspaces";
import { startLocalIssuer } from "../lib/local-issuer";
import { startNestPeer } from "../lib/nest-peer";
import { httpContender, type Scenario } from "../lib/scenario";
import { type ServerProcess, startServer } from "../lib/server-process";

const root = join(import.meta.dir, "..", "..", "..");
const bun = process.execPath;
const AUDIENCE = "tessera-bench";

export const oidcBearerMe: Scenario = {
  name: "oidc-bearer-me",
  title: "Bearer-JWT (IdP access token) authenticated GET /me, cached JWKS",
  unit: "req/s",
  higherIsBetter: true,
  async prepare() {
    const dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
    const issuer = await startLocalIssuer();
    const oidc = {
      enabled: true,
      issuer: issuer.issuer,
      clientId: "tessera",
      clientSecret: "bench-client-secret",
      cookieSecret: crypto.randomUUID() + crypto.randomUUID(),
      audience: AUDIENCE,
    };
    const config = (plugin: object) =>
      JSON.stringify({ database: { url: "sqlite:./tessera.db" }, log: { level: "warn" }, plugins: { oidc: plugin } });
    writeFileSync(join(dir, "tessera.jsonc"), config(oidc));
    // The same instance verifying the token on every request, as the bare contenders do.
    writeFileSync(join(dir, "uncached.jsonc"), config({ ...oidc, accessTokenCacheMs: 0 }));
    const servers: ServerProcess[] = [];
    const start = async (argv: string[]) => {
      const server = await startServer(argv, { cwd: dir });
      servers.push(server);
      return server;
    };
    try {
      const tessera = await start([bun, join(root, "core", "main.ts"), "serve", "--port", "0"]);
      const uncached = await start([bun, join(root, "core", "main.ts"), "serve", "--port", "0", "--config", "uncached.jsonc"]);
      // The user as a first sign-in would have linked them, with one workspace so both sides list something.
      const db = await openDatabase("sqlite:./tessera.db", { cwd: dir });
      const user = await findOrCreateUserByIdentity(db, {
        issuer: issuer.issuer,
        subject: "bench-subject",
        email: "bench@example.com",
        emailVerified: true,
        name: "Bench",
      });
      await createWorkspace(db, "bench", user.id);
      await db.close();
      const bareArgv = (server: string) => [
        bun,
        join(import.meta.dir, "..", "contenders", "bare-jwt.ts"),
        join(dir, "tessera.db"),
        issuer.issuer,
        AUDIENCE,
        server,
      ];
      const bare = await start(bareArgv("elysia"));
      const bareBun = await start(bareArgv("bun"));
      const nest = await startNestPeer({
        dir,
        db: join(dir, "tessera.db"),
        issuer: { issuer: issuer.issuer, jwks: issuer.jwks, audience: AUDIENCE },
      });
      servers.push(nest);
      const headers = { authorization: `Bearer ${await issuer.accessToken("bench-subject", AUDIENCE)}` };
      return {
        contenders: [
          httpContender("tessera", { url: `${tessera.url}/me`, headers }),
          httpContender("tessera-uncached", { url: `${uncached.url}/me`, headers }),
          httpContender("bare-elysia", { url: `${bare.url}/me`, headers }),
          httpContender("bare-bun", { url: `${bareBun.url}/me`, headers }),
          httpContender("nestjs-express", { url: `${nest.url}/me/jwt`, headers }),
        ],
        async cleanup() {
          for (const server of servers) await server.stop();
          issuer.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      for (const server of servers) await server.stop();
      issuer.stop();
      throw error;
    }
  },
};
