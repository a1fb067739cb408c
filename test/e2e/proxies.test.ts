// Tessera behind the reverse proxies self-hosters run, each on the very config docs/deploy.md shows
// (docs/deploy/nginx.conf, docs/deploy/Caddyfile), with TLS from a certificate made here: what a user
// does through them, and what an outsider must not get through them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sseParser } from "../plugins/websocket/support/event-stream";
import { openProbe, type Probe } from "../plugins/websocket/support/probe";
import { freePort } from "../support/free-port";
import {
  CADDYFILE,
  NGINX_CONF,
  type ProxyKind,
  proxyAvailable,
  type RunningProxy,
  startCaddy,
  startNginx,
} from "../support/reverse-proxies";
import { type ServedInstance, serveProcess } from "../support/serve-process";
import { makeTempDir } from "../support/test-runtime";
import { selfSignedCert, type TestCert } from "../support/tls-cert";

const DEPLOY_MD = join(import.meta.dir, "..", "..", "docs", "deploy.md");
const HEARTBEAT_MS = 4000;
const SSE_HEARTBEAT_MS = 500;
const PER_IP = 4;
const METRICS_TOKEN = "metrics-token-for-the-proxy-test";

describe("docs/deploy.md", () => {
  test("shows the proxy config files the tests run, verbatim", () => {
    const markdown = readFileSync(DEPLOY_MD, "utf8");
    const blocks = (language: string) =>
      [...markdown.matchAll(new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map((match) => match[1]);
    expect(blocks("nginx")).toEqual([readFileSync(NGINX_CONF, "utf8")]);
    expect(blocks("caddyfile")).toEqual([readFileSync(CADDYFILE, "utf8")]);
  });
});

const available: Record<ProxyKind, boolean> = {
  nginx: await proxyAvailable("nginx", "the nginx proxy test"),
  caddy: await proxyAvailable("caddy", "the Caddy proxy test"),
};
const starters = { nginx: startNginx, caddy: startCaddy };

interface Deployment {
  dir: string;
  proxy: RunningProxy;
  served: ServedInstance;
  cert: TestCert;
  token: string;
  userId: string;
}

const deploy = async (kind: ProxyKind): Promise<Deployment> => {
  const dir = makeTempDir(`proxy-${kind}-`);
  const cert = await selfSignedCert(dir);
  const port = await freePort();
  const served = await serveProcess({
    server: { hostname: "127.0.0.1", publicUrl: `https://localhost:${port}`, trustProxy: true },
    database: { url: "sqlite:./data/tessera.db" },
    log: { level: "warn" },
    metrics: { token: METRICS_TOKEN },
    plugins: {
      console: { enabled: true },
      websocket: {
        enabled: true,
        heartbeatIntervalMs: HEARTBEAT_MS,
        connectionAttemptsPerMinutePerIp: PER_IP,
        sse: { heartbeatMs: SSE_HEARTBEAT_MS },
      },
    },
  });
  const upstream = new URL(served.url).host;
  const proxy = await starters[kind]({ dir, port, upstream, cert });
  const created = await served.cli("users", "create", "--email", "user@example.com");
  if (created.code !== 0) throw new Error(created.stderr);
  const session = await served.cli("sessions", "create", "--email", "user@example.com", "--ttl", "1h");
  if (session.code !== 0) throw new Error(session.stderr);
  return { dir, proxy, served, cert, token: session.stdout.trim(), userId: JSON.parse(created.stdout).id };
};

for (const kind of ["nginx", "caddy"] as const) {
  describe.skipIf(!available[kind])(`Tessera behind ${kind}, configured as docs/deploy.md shows`, () => {
    let d: Deployment;
    beforeAll(async () => {
      d = await deploy(kind);
    }, 30_000);
    afterAll(async () => {
      await d?.proxy.stop();
      await d?.served.stop();
      if (d) rmSync(d.dir, { recursive: true, force: true });
    });

    const get = (path: string, init: RequestInit = {}) =>
      fetch(`${d.proxy.url}${path}`, { ...init, redirect: "manual", tls: { ca: d.cert.pem } });
    const api = (path: string, init: RequestInit = {}) =>
      get(path, {
        ...init,
        headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json", ...init.headers },
      });
    const workspace = async () => {
      const response = await api("/workspaces", {
        method: "POST",
        body: JSON.stringify({ name: `team-${crypto.randomUUID()}` }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const newUser = async (email: string) => {
      const user = await d.served.cli("users", "create", "--email", email);
      if (user.code !== 0) throw new Error(user.stderr);
      return email;
    };
    const addMember = async (workspaceId: string, email: string) => {
      const response = await api(`/workspaces/${workspaceId}/members`, {
        method: "POST",
        body: JSON.stringify({ email, role: "member" }),
      });
      expect(response.status).toBe(201);
    };
    const connect = (headers: Record<string, string> = {}): Promise<Probe> =>
      openProbe(`${d.proxy.url.replace(/^https/, "wss")}/ws`, {
        headers: { authorization: `Bearer ${d.token}`, ...headers },
        tls: { ca: d.cert.pem },
      });
    const scrape = async () => {
      const response = await fetch(`${d.served.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(response.status).toBe(200);
      return response.text();
    };

    test("signs in to the console with a Secure session cookie, counted in /metrics as the 303 it was", async () => {
      const response = await get("/console/session", {
        method: "POST",
        headers: { origin: d.proxy.url, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: d.token }),
      });
      expect(response.status).toBe(303);
      const cookie = response.headers.get("set-cookie") ?? "";
      expect(cookie).toContain(`=${d.token}`);
      expect(cookie).toContain("; Secure");
      expect(cookie).toContain("; HttpOnly");
      const me = await get("/me", { headers: { cookie: cookie.split(";")[0] ?? "" } });
      expect(me.status).toBe(200);
      expect(await scrape()).toContain('tessera_http_requests_total{method="POST",route="/console/session",status="303"} 1');
    });

    test("delivers a workspace event over wss, and keeps an idle socket open past several heartbeats", async () => {
      const workspaceId = await workspace();
      const socket = await connect();
      await socket.next("ready");
      socket.send({ type: "subscribe", workspaceId });
      await socket.next("subscribed");
      await addMember(workspaceId, await newUser(`ws-${kind}@example.com`));
      expect((await socket.next("event")).workspaceId).toBe(workspaceId);

      // Silent at the application level: only Tessera's pings and the client's pongs cross the proxy.
      await Bun.sleep(2.5 * HEARTBEAT_MS);
      expect(socket.socket.readyState).toBe(WebSocket.OPEN);
      await addMember(workspaceId, await newUser(`ws-late-${kind}@example.com`));
      expect((await socket.next("event")).workspaceId).toBe(workspaceId);
      socket.close();
    }, 20_000);

    test("streams events at once, unbuffered: the stream's pings and an event arrive as they are sent", async () => {
      const workspaceId = await workspace();
      const abort = new AbortController();
      const response = await api(`/workspaces/${workspaceId}/events`, {
        headers: { accept: "text/event-stream" },
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      const parser = sseParser();
      const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
      if (!reader) throw new Error("no body");
      const until = async (done: () => boolean, withinMs: number) => {
        const deadline = performance.now() + withinMs;
        while (!done()) {
          const left = deadline - performance.now();
          if (left <= 0) throw new Error(`not within ${withinMs} ms: ${JSON.stringify(parser.out)}`);
          const chunk = await Promise.race([reader.read(), Bun.sleep(left).then(() => undefined)]);
          if (chunk?.value) parser.feed(chunk.value);
        }
      };
      await until(() => parser.out.events.some((event) => event.event === "subscribed"), 2000);
      await until(() => parser.out.comments.length >= 2, 3 * SSE_HEARTBEAT_MS);
      const email = await newUser(`sse-${kind}@example.com`);
      const sent = performance.now();
      await addMember(workspaceId, email);
      await until(() => parser.out.events.some((event) => event.event === "message"), 1000);
      expect(performance.now() - sent).toBeLessThan(1000);
      abort.abort();
    });

    test("keeps /metrics, /openapi and the detailed /readyz from outsiders, however the path is spelled", async () => {
      const bearer = { authorization: `Bearer ${METRICS_TOKEN}` };
      for (const path of ["/metrics", "/metrics/", "//metrics", "/%6detrics", "/metrics?x=1", "/openapi", "/openapi/json"]) {
        const response = await get(path, { headers: bearer });
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        expect(await response.text()).not.toContain("tessera_http_requests_total");
      }
      const ready = await get("/readyz");
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready" });
      // The instance itself still serves them to the token's bearer: it is the proxy that closes them.
      expect((await fetch(`${d.served.url}/metrics`, { headers: bearer })).status).toBe(200);
    });

    test("refuses to count forged X-Forwarded-For values as new clients: one address, one bucket", async () => {
      const outcomes: string[] = [];
      for (let i = 1; i <= 2 * PER_IP; i++) {
        const forged = i % 2 ? `203.0.113.${i}` : `198.51.100.${i}, 203.0.113.${i}`;
        try {
          const socket = await connect({ "x-forwarded-for": forged, "x-real-ip": `192.0.2.${i}` });
          await socket.next("ready");
          outcomes.push("open");
          socket.close();
        } catch {
          outcomes.push("refused");
        }
      }
      // Earlier upgrades came from the same address and may have used some of its allowance.
      expect(outcomes.filter((outcome) => outcome === "open").length).toBeLessThanOrEqual(PER_IP);
      expect(outcomes.slice(PER_IP)).toEqual(Array(PER_IP).fill("refused"));
    });
  });
}
