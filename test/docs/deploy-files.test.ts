// The deployment files in docs/deploy/ are what docs/deploy.md shows, and each holds up on its own:
// systemd accepts the unit, and the compose file's services, build and Tessera config fit together.
import { beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../../core/config/load-config";
import { requireOrSkip } from "../support/service-availability";
import { makeTempDir } from "../support/test-runtime";

const ROOT = join(import.meta.dir, "..", "..");
const DEPLOY = join(ROOT, "docs", "deploy");
const UNIT = join(DEPLOY, "tessera.service");
const COMPOSE = join(DEPLOY, "compose.yaml");
const DOCKERFILE = join(DEPLOY, "Dockerfile");
const SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze";
const SYSTEM_UNITS = "/usr/lib/systemd/system";

const read = (path: string) => readFileSync(path, "utf8");

const blocks = (language: string) =>
  [...read(join(ROOT, "docs", "deploy.md")).matchAll(new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map(
    (match) => match[1],
  );

describe("docs/deploy.md", () => {
  test("shows the systemd unit, the compose file and the Dockerfile verbatim", () => {
    expect(blocks("ini")).toEqual([read(UNIT)]);
    expect(blocks("yaml")).toContain(read(COMPOSE));
    expect(blocks("dockerfile")).toEqual([read(DOCKERFILE)]);
  });
});

const analyzable = await requireOrSkip("systemd-analyze", SYSTEMD_ANALYZE, "the systemd unit check", async () => {
  if (!existsSync(SYSTEMD_ANALYZE)) throw new Error("not installed (apt-get install systemd)");
  if (!existsSync(SYSTEM_UNITS)) throw new Error(`${SYSTEM_UNITS} is missing`);
});

/** `systemd-analyze verify` on `unit`, installed as the docs say in a root of its own with the binaries it runs in place. */
const verify = (unit: string) => {
  const root = makeTempDir("systemd-");
  try {
    mkdirSync(join(root, "usr", "local", "bin"), { recursive: true });
    writeFileSync(join(root, "usr", "local", "bin", "tessera"), "#!/bin/sh\n", { mode: 0o755 });
    // ExecReload's kill, as any system has it.
    mkdirSync(join(root, "bin"), { recursive: true });
    writeFileSync(join(root, "bin", "kill"), "#!/bin/sh\n", { mode: 0o755 });
    cpSync(SYSTEM_UNITS, join(root, "usr", "lib", "systemd", "system"), { recursive: true, verbatimSymlinks: true });
    mkdirSync(join(root, "etc", "systemd", "system"), { recursive: true });
    writeFileSync(join(root, "etc", "systemd", "system", "tessera.service"), unit);
    const run = Bun.spawnSync([SYSTEMD_ANALYZE, "verify", `--root=${root}`, "/etc/systemd/system/tessera.service"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", SYSTEMD_LOG_COLOR: "0" },
    });
    return { exitCode: run.exitCode, output: `${run.stdout.toString()}${run.stderr.toString()}`.trim() };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};

describe.if(analyzable)("docs/deploy/tessera.service", () => {
  test("passes systemd-analyze verify without a warning", () => {
    expect(verify(read(UNIT))).toEqual({ exitCode: 0, output: "" });
  });

  test("the check catches a misspelt key, so a clean pass means something", () => {
    const misspelt = read(UNIT).replace("TimeoutStopSec=", "TimeoutStopSecs=");
    expect(misspelt).not.toBe(read(UNIT));
    expect(verify(misspelt).output).toContain("Unknown key 'TimeoutStopSecs'");
  });
});

describe("docs/deploy/tessera.service, read as systemd reads it", () => {
  test("starts the installed binary with the config the docs install, and gives SIGTERM time to drain", () => {
    const keys = new Map<string, string>();
    for (const line of read(UNIT).split("\n")) {
      const match = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) keys.set(match[1], match[2]);
    }
    expect(keys.get("ExecStart")).toBe("/usr/local/bin/tessera serve --config /etc/tessera/tessera.jsonc");
    expect(keys.get("KillSignal")).toBe("SIGTERM");
    // server.shutdownTimeoutMs defaults to 10 s; systemd must wait longer before it kills.
    expect(Number(keys.get("TimeoutStopSec"))).toBeGreaterThan(10);
    expect(keys.get("ReadWritePaths")).toBe(keys.get("WorkingDirectory"));
  });
});

interface ComposeService {
  build?: { context: string; dockerfile: string };
  image?: string;
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  configs?: Array<{ source: string; target: string }>;
  ports?: string[];
  healthcheck?: { test: string[] };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  configs: Record<string, { content: string }>;
  volumes: Record<string, unknown>;
}

describe("docs/deploy/compose.yaml", () => {
  let compose: ComposeFile;
  let tessera: ComposeService;

  beforeAll(() => {
    compose = Bun.YAML.parse(read(COMPOSE)) as ComposeFile;
    const service = compose.services.tessera;
    if (!service) throw new Error("compose.yaml has no tessera service");
    tessera = service;
  });

  test("runs Tessera, PostgreSQL and Redis, and Tessera waits for both to be healthy", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["postgres", "redis", "tessera"]);
    for (const [name, dependency] of Object.entries(tessera.depends_on ?? {})) {
      expect(compose.services[name]?.healthcheck).toBeDefined();
      expect(dependency.condition).toBe("service_healthy");
    }
    expect(Object.keys(tessera.depends_on ?? {}).sort()).toEqual(["postgres", "redis"]);
  });

  test("every named volume and config is declared", () => {
    for (const service of Object.values(compose.services)) {
      for (const volume of (service as { volumes?: string[] }).volumes ?? []) {
        expect(Object.keys(compose.volumes)).toContain(volume.split(":")[0] ?? "");
      }
      for (const config of service.configs ?? []) expect(Object.keys(compose.configs)).toContain(config.source);
    }
  });

  test("builds from the Dockerfile, which copies the binary npm run build makes", () => {
    const build = tessera.build;
    if (!build) throw new Error("the tessera service is not built");
    const context = resolve(DEPLOY, build.context);
    expect(context).toBe(resolve(ROOT));
    expect(resolve(context, build.dockerfile)).toBe(DOCKERFILE);
    const copy = /^COPY (\S+) (\S+)$/m.exec(read(DOCKERFILE));
    expect(copy?.[1]).toBe("dist/tessera");
    expect(read(join(ROOT, "scripts", "build.ts"))).toContain('join(root, "dist", "tessera")');
    const command = JSON.parse(/^CMD (.*)$/m.exec(read(DOCKERFILE))?.[1] ?? "[]");
    expect(command).toEqual(["serve", "--config", tessera.configs?.[0]?.target]);
  });

  test("its Tessera config is valid, names the compose services and gets every secret it reads", () => {
    const escaped = compose.configs.tessera?.content ?? "";
    // Compose turns $$ into $; Tessera then interpolates the ${…} that is left.
    const content = escaped.replaceAll("$$", "$");
    const wanted = [...content.matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => match[1] ?? "");
    expect(wanted.sort()).toEqual(["PGPASSWORD", "REDIS_PASSWORD", "WS_TICKET_SECRET"]);
    expect(Object.keys(tessera.environment ?? {}).sort()).toEqual(wanted);
    // A ${…} with a single $ would be filled in (or refused) by compose, never reaching Tessera.
    expect(escaped.replaceAll("$${", "")).not.toContain("${");

    const dir = makeTempDir("compose-");
    try {
      writeFileSync(join(dir, "tessera.jsonc"), content);
      const env = { PGPASSWORD: "pg-secret", REDIS_PASSWORD: "redis-secret", WS_TICKET_SECRET: "t".repeat(32) };
      const { config } = loadConfig({ file: "tessera.jsonc", env, cwd: dir });
      expect(new URL(config.database.url).hostname).toBe("postgres");
      expect(new URL(config.redis?.url ?? "redis://none").hostname).toBe("redis");
      expect(config.server.hostname).toBe("0.0.0.0");
      expect(tessera.ports).toEqual([`127.0.0.1:${config.server.port}:${config.server.port}`]);
      expect(/^EXPOSE (\d+)$/m.exec(read(DOCKERFILE))?.[1]).toBe(String(config.server.port));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
