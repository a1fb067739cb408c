// Attack: with the console off, a form on another origin posted with the visitor's session cookie
// created a workspace and spawned an agent. The real server, the console disabled, a session cookie
// from `tessera sessions create`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort } from "../support/free-port";
import { ownerWithWorkspace, type ServedInstance, serveProcess } from "../support/serve-process";

const ROOT = join(import.meta.dir, "..", "..");
const EVIL = "https://evil.example";

describe("cross-site request forgery against the real server, console off", () => {
  let served: ServedInstance;
  let site = "";
  let token = "";
  let cookie = "";
  let workspaceId = "";

  beforeAll(async () => {
    const port = await freePort();
    site = `http://127.0.0.1:${port}`;
    served = await serveProcess(
      {
        server: { publicUrl: site },
        database: { url: "sqlite:./data/tessera.db" },
        plugins: {
          console: { enabled: false },
          federation: {
            enabled: true,
            name: "solo",
            agents: { types: { echo: { command: ["bun", join(ROOT, "scripts/agents/echo.ts")], timeoutMs: 5000 } } },
          },
        },
      },
      { port },
    );
    ({ token, workspaceId } = await ownerWithWorkspace(served, "ada@example.com"));
    cookie = `tessera_session=${token}`;
  });
  afterAll(async () => {
    await served.stop();
  });

  /** What a browser sends for a form on `origin` posted to this server. */
  const formPost = (path: string, fields: Record<string, string>, origin = EVIL) =>
    fetch(`${site}${path}`, {
      method: "POST",
      headers: { cookie, origin, "sec-fetch-site": "cross-site", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });

  const workspaceNames = async () => {
    const response = await fetch(`${site}/workspaces`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { workspaces?: { name: string }[] } | { name: string }[];
    return (Array.isArray(body) ? body : (body.workspaces ?? [])).map((workspace) => workspace.name);
  };

  const agentCount = async () => {
    const response = await fetch(`${site}/agents?workspaceId=${workspaceId}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await response.json()) as { agents: unknown[] }).agents.length;
  };

  test("refuses a cross-origin form post to /workspaces that carries the session cookie", async () => {
    const response = await formPost("/workspaces", { name: "forged" });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ code: "ERR_CSRF" });
    expect(await workspaceNames()).not.toContain("forged");
  });

  test("refuses a cross-origin form post to /agents that carries the session cookie: no agent is spawned", async () => {
    const response = await formPost("/agents", { workspaceId, agentType: "echo" });
    expect(response.status).toBe(403);
    expect((await response.json()).code).toBe("ERR_CSRF");
    expect(await agentCount()).toBe(0);
  });

  test("refuses a form body with the cookie and no Origin at all (an older browser's cross-site form): 415", async () => {
    const response = await fetch(`${site}/workspaces`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "name=forged-too",
    });
    expect(response.status).toBe(415);
    expect(await workspaceNames()).not.toContain("forged-too");
  });

  test("accepts a same-origin JSON post with the cookie", async () => {
    const workspace = await fetch(`${site}/workspaces`, {
      method: "POST",
      headers: { cookie, origin: site, "sec-fetch-site": "same-origin", "content-type": "application/json" },
      body: JSON.stringify({ name: "mine" }),
    });
    expect(workspace.status).toBe(201);
    expect(await workspaceNames()).toContain("mine");
    const agent = await fetch(`${site}/agents`, {
      method: "POST",
      headers: { cookie, origin: site, "content-type": "application/json" },
      body: JSON.stringify({ workspaceId, agentType: "echo" }),
    });
    expect(agent.status).toBe(201);
  });

  test("leaves a bearer token unaffected, whatever origin it claims", async () => {
    const response = await fetch(`${site}/workspaces`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, origin: EVIL, "content-type": "application/json" },
      body: JSON.stringify({ name: "scripted" }),
    });
    expect(response.status).toBe(201);
  });
});
