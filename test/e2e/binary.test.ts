// The single executable as a self-hoster gets it: the one file alone in a directory outside the
// repository, so no node_modules is anywhere above it. Uses TESSERA_BIN when set (CI builds it
// once), else builds one here.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli, type ServedInstance, serveProcess } from "../support/serve-process";
import { makeTempDir } from "../support/test-runtime";

const root = join(import.meta.dir, "..", "..");
const greeter = join(root, "test", "fixtures", "plugins", "greeter.ts");

const install = async (dir: string): Promise<string> => {
  const bin = join(dir, "tessera");
  if (process.env.TESSERA_BIN) {
    copyFileSync(resolve(root, process.env.TESSERA_BIN), bin);
    return bin;
  }
  const build = Bun.spawn([process.execPath, "scripts/build.ts", "--outfile", bin], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
  });
  if ((await build.exited) !== 0) throw new Error(`npm run build failed:\n${await new Response(build.stderr).text()}`);
  return bin;
};

describe("the single binary", () => {
  let dir: string;
  let bin: string;
  let served: ServedInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-binary-"));
    bin = await install(dir);
    copyFileSync(greeter, join(dir, "greeter.ts"));
    // Deno for the isolated plugin where a self-hoster's `npm install deno` beside the binary puts it.
    mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
    symlinkSync(join(root, "node_modules", ".bin", "deno"), join(dir, "node_modules", ".bin", "deno"));
    writeFileSync(join(dir, "needs-a-package.ts"), 'import "left-pad";\nexport default {};\n');
    served = await serveProcess(
      {
        database: { url: "sqlite:./data/tessera.db" },
        plugins: {
          console: { enabled: true },
          websocket: { enabled: true },
          "./greeter.ts": { enabled: true, permissions: { routes: ["/greeter"] } },
        },
      },
      { dir, command: [bin] },
    );
  }, 60_000);
  afterAll(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("--version prints the version and the commit it was built from", async () => {
    const result = await runCli(["--version"], dir, {}, [bin]);
    expect(result.stdout).toMatch(/^tessera \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,}(-dirty)?|unknown)\)\n$/);
  });

  test("runs every one-shot command: migrate, schema, check, users, sessions, keys, peers", async () => {
    const cli = (...args: string[]) => served.cli(...args);
    expect((await cli("migrate")).stdout).toContain("is up to date");
    expect(JSON.parse((await cli("schema")).stdout).properties.plugins).toBeDefined();
    expect((await cli("check")).stdout).toContain("Config OK");
    expect(JSON.parse((await cli("users", "create", "--email", "ada@example.com")).stdout)).toMatchObject({
      email: "ada@example.com",
    });
    const token = (await cli("sessions", "create", "--email", "ada@example.com")).stdout.trim();
    const me = await fetch(`${served.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ user: { email: "ada@example.com" } });
    // Plugins' commands come with their plugins: a config that enables them, on a database of its own.
    const plugged = join(dir, "plugged.jsonc");
    writeFileSync(
      plugged,
      JSON.stringify({
        database: { url: "sqlite:./data/plugged.db" },
        plugins: { "api-key": { enabled: true }, federation: { enabled: true, peers: { allowedHosts: ["127.0.0.1:9"] } } },
      }),
    );
    const withPlugins = (...args: string[]) => runCli([...args, "--config", plugged], dir, {}, [bin]);
    expect(JSON.parse((await withPlugins("keys", "create", "--name", "ci")).stdout)).toMatchObject({ name: "ci" });
    // Reaching the federation's own refusal shows the command and the plugin's code are in the binary.
    expect((await withPlugins("peers", "add", "http://127.0.0.1:9")).stderr).toContain("ERR_FED_UNREACHABLE");
  });

  test("applies its embedded migrations and serves its built-in plugins", async () => {
    expect(served.output()).toMatch(/"migrations":[1-9]/);
    expect(served.output()).toMatch(/websocket\s+\S+\s+started/);
    expect(await (await fetch(`${served.url}/readyz`)).json()).toMatchObject({ status: "ready" });
  });

  test("serves the console's prebuilt page, script and stylesheet", async () => {
    const page = await (await fetch(served.url)).text();
    const script = /src="(\/console\/app\.js\?v=\w+)"/.exec(page)?.[1];
    const style = /href="(\/console\/app\.css\?v=\w+)"/.exec(page)?.[1];
    expect(script && style).toBeTruthy();
    const scriptResponse = await fetch(`${served.url}${script}`);
    expect(scriptResponse.headers.get("content-type")).toStartWith("text/javascript");
    expect((await scriptResponse.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${served.url}${style}`)).status).toBe(200);
  });

  test("runs a plugin by path isolated, on the Deno beside it, with elysia and tessera/plugin from the binary's kit", async () => {
    expect(await (await fetch(`${served.url}/greeter/hello`)).json()).toEqual({ message: "hello, world" });
    expect(served.output()).toMatch(/isolated plugins run on Deno.*"from":"node_modules"/);
    expect(served.output()).toMatch(/\.\/greeter\.ts\s+\S+\s+started\s+process/);
  });

  test("with no config, the welcome names the binary as the command to run next", async () => {
    const bare = mkdtempSync(join(tmpdir(), "tessera-binary-bare-"));
    const child = Bun.spawn([bin, "serve", "--port", "0"], { cwd: bare, stdout: "pipe", stderr: "ignore" });
    let output = "";
    const reader = child.stdout.getReader();
    while (!output.includes("listening on")) {
      const chunk = await reader.read();
      if (chunk.done) break;
      output += new TextDecoder().decode(chunk.value);
    }
    child.kill();
    await child.exited;
    rmSync(bare, { recursive: true, force: true });
    expect(output).toContain(`  ${bin} users create --email you@example.com`);
  });

  test("a plugin bundled by the binary acting as Bun brings its own dependencies", async () => {
    // Written inside the repository, where its dependency is installed, as on a plugin author's machine.
    const source = makeTempDir("binary-plugin-");
    writeFileSync(
      join(source, "stamp.ts"),
      `import { Elysia, t } from "elysia";
import { parse } from "jsonc-parser";
import { definePlugin } from "tessera/plugin";
export default definePlugin({ name: "stamp", version: "0.1.0", config: t.Object({}),
  setup: () => ({ routes: new Elysia().get("/stamp", () => parse('{ "parsed": true, /* jsonc */ }')) }) });
`,
    );
    const external = ["--external", "elysia", "--external", "tessera/*"];
    const home = join(dir, "stamp");
    const build = Bun.spawn([bin, "build", "stamp.ts", "--target", "bun", ...external, "--outfile", join(home, "stamp.js")], {
      cwd: source,
      env: { ...process.env, BUN_BE_BUN: "1" },
      stdout: "ignore",
      stderr: "pipe",
    });
    const built = { code: await build.exited, stderr: await new Response(build.stderr).text() };
    rmSync(source, { recursive: true, force: true });
    expect(built).toEqual({ code: 0, stderr: "" });
    const stamp = await serveProcess(
      {
        database: { url: "sqlite::memory:" },
        plugins: { "./stamp.js": { enabled: true, isolation: "none", permissions: { routes: ["/stamp"] } } },
      },
      { dir: home, command: [bin] },
    );
    const response = await fetch(`${stamp.url}/stamp`);
    await stamp.stop();
    expect(await response.json()).toEqual({ parsed: true });
  });

  test("a plugin by path that imports any other package is refused, naming it and what the binary offers", async () => {
    writeFileSync(
      join(dir, "other.jsonc"),
      JSON.stringify({ plugins: { "./needs-a-package.ts": { enabled: true, isolation: "none" } } }),
    );
    const result = await runCli(["check", "--config", "other.jsonc"], dir, {}, [bin]);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith("tessera: ERR_PLUGIN_INVALID");
    expect(result.stderr).toContain("left-pad");
    expect(result.stderr).toContain(
      "may import only elysia, tessera/plugin, tessera/plugin/db, tessera/plugin/identity, tessera/errors",
    );
  });
});
