// Bearer-JWT authenticated GET /me: Tessera (oidc plugin, the provider's access token verified with
// jose against its cached JWKS, then the linked user) against bare Elysia doing the same inline.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../../core/db/open-database";
import { findOrCreateUserByIdentity } from "../../../core/identity/identities";
import { createWorkspace } from "../../../core/identity/workspaces";
import { startLocalIssuer } from "../lib/local-issuer";
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
    writeFileSync(
      join(dir, "tessera.jsonc"),
      JSON.stringify({
        database: { url: "sqlite:./tessera.db" },
        log: { level: "warn" },
        plugins: {
          oidc: {
            enabled: true,
            issuer: issuer.issuer,
            clientId: "tessera",
            clientSecret: "bench-client-secret",
            cookieSecret: crypto.randomUUID() + crypto.randomUUID(),
            audience: AUDIENCE,
          },
        },
      }),
    );
    const servers: ServerProcess[] = [];
    const start = async (argv: string[]) => {
      const server = await startServer(argv, { cwd: dir });
      servers.push(server);
      return server;
    };
    try {
      const tessera = await start([bun, join(root, "core", "main.ts"), "serve", "--port", "0"]);
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
      const bare = await start([
        bun,
        join(import.meta.dir, "..", "contenders", "bare-elysia-jwt.ts"),
        join(dir, "tessera.db"),
        issuer.issuer,
        AUDIENCE,
      ]);
      const headers = { authorization: `Bearer ${await issuer.accessToken("bench-subject", AUDIENCE)}` };
      return {
        contenders: [
          httpContender("tessera", { url: `${tessera.url}/me`, headers }),
          httpContender("bare-elysia", { url: `${bare.url}/me`, headers }),
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
