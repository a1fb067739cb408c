// Cold start: from process spawn to the first 200 from /readyz, Tessera with every built-in plugin on a
// fresh SQLite database against a bare Elysia process.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalIssuer } from "../lib/local-issuer";
import type { Contender, Scenario } from "../lib/scenario";
import { summarize } from "../lib/stats";

const root = join(import.meta.dir, "..", "..", "..");
const bun = process.execPath;

/** Every built-in plugin; oidc discovers the bench's local issuer at start, as it would a real provider. */
const pluginConfigs = (issuer: string): Record<string, Record<string, unknown>> => ({
  oidc: {
    enabled: true,
    issuer,
    clientId: "tessera",
    clientSecret: "bench-client-secret",
    cookieSecret: "bench-cookie-secret-of-at-least-32-chars",
  },
  "api-key": {
    enabled: true,
    keys: [{ name: "bench", hash: `sha256:${"ab".repeat(32)}`, scopes: ["coordinator"] }],
    protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
  },
  coordinator: { enabled: true },
  websocket: { enabled: true },
  federation: { enabled: true },
  console: { enabled: true },
});

export const presentPlugins = (issuer: string) =>
  Object.fromEntries(
    Object.entries(pluginConfigs(issuer)).filter(([name]) => existsSync(join(root, "plugins", name, "index.ts"))),
  );

const timeToReady = async (argv: string[], cwd: string): Promise<number> => {
  const started = performance.now();
  const child = Bun.spawn(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  let output = "";
  const reader = child.stdout.getReader();
  try {
    for (;;) {
      const url = /listening on (http:\/\/\S+)/i.exec(output)?.[1];
      if (url) {
        for (;;) {
          const response = await fetch(`${url}/readyz`).catch(() => null);
          if (response?.status === 200) return performance.now() - started;
          await Bun.sleep(2);
        }
      }
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`${argv.join(" ")} exited before listening:\n${output}`);
      output += new TextDecoder().decode(chunk.value);
    }
  } finally {
    child.kill("SIGKILL");
    await child.exited;
  }
};

export const coldContender = (name: string, argv: () => string[], dir: string, fresh: boolean): Contender => ({
  name,
  async measure() {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (fresh) rmSync(join(dir, "data"), { recursive: true, force: true });
      times.push(await timeToReady(argv(), dir));
    }
    return summarize(times).median;
  },
});

export const coldStart: Scenario = {
  name: "cold-start",
  title: "Cold start to /readyz (fresh SQLite, migrations included)",
  unit: "ms",
  higherIsBetter: false,
  async prepare() {
    const dir = mkdtempSync(join(tmpdir(), "tessera-cold-"));
    const issuer = await startLocalIssuer();
    const plugins = presentPlugins(issuer.issuer);
    writeFileSync(join(dir, "tessera.jsonc"), JSON.stringify({ log: { level: "warn" }, plugins }));
    console.log(`cold-start: Tessera with built-in plugins: ${Object.keys(plugins).join(", ") || "(none present)"}`);
    return {
      contenders: [
        coldContender("tessera", () => [bun, join(root, "core", "main.ts"), "serve", "--port", "0"], dir, true),
        coldContender("bare-elysia", () => [bun, join(import.meta.dir, "..", "contenders", "bare-elysia-hello.ts")], dir, false),
      ],
      cleanup: async () => {
        issuer.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
