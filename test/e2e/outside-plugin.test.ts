// A plugin written the way the built-ins are, in its own package folder outside the repository (no
// `tessera` package anywhere above it), loaded by path and by package name, from source and from the
// single binary: its config schema, its route, its own table through its own migration, its CLI command,
// its events reaching WebSocket subscribers, and a host it was not granted refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openProbe } from "../plugins/websocket/support/probe";
import { type ServedInstance, serveProcess, TESSERA } from "../support/serve-process";

const root = join(import.meta.dir, "..", "..");
const fixture = join(root, "test", "fixtures", "outside-plugin");
const ORIGIN = "http://localhost:3000";

let outside: string;
let binary: string[];

const installBinary = async (): Promise<string[]> => {
  const bin = join(outside, "bin", "tessera");
  mkdirSync(join(outside, "bin"));
  if (process.env.TESSERA_BIN) {
    copyFileSync(resolve(root, process.env.TESSERA_BIN), bin);
    return [bin];
  }
  const build = Bun.spawn([process.execPath, "scripts/build.ts", "--outfile", bin], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
  });
  if ((await build.exited) !== 0) throw new Error(`npm run build failed:\n${await new Response(build.stderr).text()}`);
  return [bin];
};

beforeAll(async () => {
  outside = mkdtempSync(join(tmpdir(), "tessera-outside-"));
  binary = await installBinary();
}, 60_000);
afterAll(() => rmSync(outside, { recursive: true, force: true }));

/** A fresh instance directory outside the repository, with the fixture as a folder and as an installed package. */
const instanceDir = (name: string) => {
  const dir = join(outside, name);
  cpSync(fixture, join(dir, "my-notes"), { recursive: true });
  cpSync(fixture, join(dir, "node_modules", "tessera-plugin-notes"), { recursive: true });
  return dir;
};

const serveNotes = (dir: string, specifier: string, command: string[]) =>
  serveProcess(
    {
      server: { allowedOrigins: [ORIGIN] },
      database: { url: "sqlite:./data/tessera.db" },
      log: { level: "warn" },
      plugins: {
        websocket: { enabled: true },
        [specifier]: {
          enabled: true,
          // In process: these tests exercise the in-process plugin API (isolated plugins: isolated-plugin.test.ts).
          isolation: "none",
          title: "Team notes",
          permissions: { routes: ["/notes"], net: ["allowed.example"] },
        },
      },
    },
    { dir, command },
  );

const signedIn = async (served: ServedInstance, email: string) => {
  const user = await served.cli("users", "create", "--email", email);
  if (user.code !== 0) throw new Error(`users create failed: ${user.stderr}`);
  const session = await served.cli("sessions", "create", "--email", email);
  if (session.code !== 0) throw new Error(`sessions create failed: ${session.stderr}`);
  return session.stdout.trim();
};

const runs = [
  { from: "source", by: "path", specifier: "./my-notes" },
  { from: "source", by: "package name", specifier: "tessera-plugin-notes" },
  { from: "binary", by: "path", specifier: "./my-notes" },
  { from: "binary", by: "package name", specifier: "tessera-plugin-notes" },
] as const;

describe.each(runs)("a plugin outside the repository, from $from, loaded by $by", ({ from, by, specifier }) => {
  let served: ServedInstance;
  let token: string;
  const http = (path: string, init: RequestInit = {}) =>
    fetch(`${served.url}${path}`, {
      ...init,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...init.headers },
    });
  beforeAll(async () => {
    const dir = instanceDir(`${from}-${by.replace(" ", "-")}`);
    served = await serveNotes(dir, specifier, from === "binary" ? binary : TESSERA);
    token = await signedIn(served, "ada@example.com");
  }, 30_000);
  afterAll(() => served?.stop());

  test("loads with the config its schema validated, and mounts its route", async () => {
    expect(await (await http("/notes")).json()).toEqual({ title: "Team notes" });
  });

  test('warns at start that with "isolation": "none" it reaches what the server reaches', () => {
    const warnings = served
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warnings).toContainEqual({
      ts: expect.any(String),
      level: "warn",
      msg: `plugin "${specifier}" runs with "isolation": "none": it can reach the server's files, environment, network, processes and database, beyond its grants`,
      plugin: "notes",
    });
  });

  test("keeps notes in its own table, created by its own migration, and publishes an event WebSocket subscribers receive", async () => {
    const created = await http("/workspaces", { method: "POST", body: JSON.stringify({ name: "team" }) });
    const { id: workspaceId } = (await created.json()) as { id: string };
    const socket = await openProbe(`${served.url.replace(/^http/, "ws")}/ws`, { headers: { authorization: `Bearer ${token}` } });
    await socket.next("ready");
    socket.send({ type: "subscribe", workspaceId });
    await socket.next("subscribed");

    const posted = await http(`/notes/${workspaceId}`, { method: "POST", body: JSON.stringify({ text: "hello from outside" }) });
    expect(posted.status).toBe(200);
    expect(await socket.next("event")).toMatchObject({
      workspaceId,
      event: "note.added",
      data: { text: "hello from outside" },
    });
    socket.close();
    expect(await (await http(`/notes/${workspaceId}`)).json()).toMatchObject({ notes: [{ text: "hello from outside" }] });
  });

  test("runs its CLI command against its own table", async () => {
    const { id: workspaceId } = (await (
      await http("/workspaces", { method: "POST", body: JSON.stringify({ name: "counted" }) })
    ).json()) as { id: string };
    for (const text of ["one", "two"]) {
      await http(`/notes/${workspaceId}`, { method: "POST", body: JSON.stringify({ text }) });
    }
    const counted = await served.cli("notes", "count", workspaceId);
    expect({ code: counted.code, stdout: counted.stdout.trim(), stderr: counted.stderr }).toEqual({
      code: 0,
      stdout: "2",
      stderr: "",
    });
  });

  test("refuses a note longer than its config allows, and a user who is not in the workspace", async () => {
    const { id: workspaceId } = (await (
      await http("/workspaces", { method: "POST", body: JSON.stringify({ name: "other" }) })
    ).json()) as { id: string };
    const long = await http(`/notes/${workspaceId}`, { method: "POST", body: JSON.stringify({ text: "x".repeat(501) }) });
    expect(long.status).toBe(400);
    const stranger = await signedIn(served, `stranger-${Date.now()}@example.com`);
    const refused = await fetch(`${served.url}/notes/${workspaceId}`, { headers: { authorization: `Bearer ${stranger}` } });
    expect(refused.status).toBe(404);
  });

  test("is refused a network host it was not granted (ERR_PERMISSION_NET)", async () => {
    const response = await http("/notes/upstream");
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ type: "urn:tessera:problem:ERR_PERMISSION_NET" });
  });
});
