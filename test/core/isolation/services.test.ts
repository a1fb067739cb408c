// The core's answers to an isolated plugin's calls, driven from a child end in memory: every params object
// is checked (the child is hostile), keys are the plugin's own, metrics carry its name.
import { afterEach, describe, expect, test } from "bun:test";
import { MemoryEventBus } from "../../../core/events/memory-event-bus";
import type { Auth } from "../../../core/identity/auth";
import type { Principal } from "../../../core/identity/types";
import { serveAuth } from "../../../core/isolation/services/auth";
import { serveDb } from "../../../core/isolation/services/db";
import { serveEvents } from "../../../core/isolation/services/events";
import { serveLimits } from "../../../core/isolation/services/limits";
import { serveLog } from "../../../core/isolation/services/log";
import { serveMetrics } from "../../../core/isolation/services/metrics";
import { metricPrefix } from "../../../core/isolation/wire/protocol";
import { MemoryRateLimiter } from "../../../core/limits/memory-limiter";
import { MemorySingleUse } from "../../../core/limits/single-use";
import { MemorySlots } from "../../../core/limits/slots";
import type { Logger } from "../../../core/log/logger";
import { Registry } from "../../../core/metrics/registry";
import { channelPair } from "../../support/channel-pair";

let pairs: ReturnType<typeof channelPair>[] = [];
const pair = () => {
  const made = channelPair();
  pairs.push(made);
  return made;
};
afterEach(() => {
  for (const made of pairs) made.close();
  pairs = [];
});

const protocolError = expect.objectContaining({ code: "ERR_ISOLATION_PROTOCOL" });

const recordingLog = () => {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = {
    debug: (message, fields) => lines.push({ level: "debug", message, fields }),
    info: (message, fields) => lines.push({ level: "info", message, fields }),
    warn: (message, fields) => lines.push({ level: "warn", message, fields }),
    error: (message, fields) => lines.push({ level: "error", message, fields }),
    child: () => log,
  };
  return { log, lines };
};

const until = async (done: () => boolean) => {
  for (let i = 0; i < 100 && !done(); i++) await Bun.sleep(5);
};

describe("limits, once and slots", () => {
  const services = () => {
    const keys: string[] = [];
    const limits = new MemoryRateLimiter();
    const consume = limits.consume.bind(limits);
    limits.consume = (key, rule, cost) => {
      keys.push(key);
      return consume(key, rule, cost);
    };
    const once = new MemorySingleUse();
    const slots = new MemorySlots();
    const { core, child } = pair();
    serveLimits(core, "probe", { limits, once, slots });
    return { keys, once, slots, child };
  };

  test("prefix every key with plugin:<name>:, so a plugin reaches only its own", async () => {
    const { keys, once, child } = services();
    expect(await child.call("limits.consume", { key: "login:1.2.3.4", rule: { limit: 1, windowMs: 1000 } })).toMatchObject({
      allowed: true,
    });
    expect(keys).toEqual(["plugin:probe:login:1.2.3.4"]);
    const expiresAt = Date.now() + 60_000;
    expect(once.claim("ticket-1", expiresAt)).toBe(true);
    expect(await child.call("once.claim", { key: "ticket-1", expiresAt })).toBe(true);
    expect(await child.call("once.claim", { key: "ticket-1", expiresAt })).toBe(false);
    expect(once.claim("plugin:probe:ticket-1", expiresAt)).toBe(false);
  });

  test("slots are counted under the prefixed key and given back", async () => {
    const { slots, child } = services();
    expect(await child.call("slots.acquire", { key: "user-1", max: 1, holder: "a" })).toBe(true);
    expect(await child.call("slots.acquire", { key: "user-1", max: 1, holder: "b" })).toBe(false);
    expect(slots.acquire("user-1", 1)).toBe(true);
    expect(await child.call("slots.release", { key: "user-1", holder: "a" })).toBeNull();
    expect(slots.acquire("plugin:probe:user-1", 1)).toBe(true);
  });

  test("refuse malformed params with ERR_ISOLATION_PROTOCOL", async () => {
    const { child } = services();
    await expect(child.call("limits.consume", { key: 5, rule: { limit: 1, windowMs: 1 } })).rejects.toEqual(protocolError);
    await expect(child.call("limits.consume", { key: "k", rule: { limit: -1, windowMs: 1 } })).rejects.toEqual(protocolError);
    await expect(child.call("once.claim", { key: "k" })).rejects.toEqual(protocolError);
    await expect(child.call("slots.acquire", { key: "k", holder: "h" })).rejects.toEqual(protocolError);
    await expect(child.call("slots.release", null)).rejects.toEqual(protocolError);
  });
});

describe("metrics", () => {
  const services = (plugin = "probe") => {
    const registry = new Registry();
    const bad: unknown[] = [];
    const { core, child } = pair();
    serveMetrics(core, plugin, registry, (error) => bad.push(error));
    return { registry, child, bad };
  };

  test("a metric must be named tessera_plugin_<name>_…, the name's other characters as _", async () => {
    expect(metricPrefix("my-plugin.v2")).toBe("tessera_plugin_my_plugin_v2_");
    const { child } = services("my-plugin");
    const define = (name: string) => child.call("metrics.define", { kind: "counter", name, help: "h", labelNames: [] });
    expect(await define("tessera_plugin_my_plugin_hits_total")).toBeNull();
    for (const name of ["tessera_http_requests_total", "tessera_plugin_other_hits_total", "tessera_plugin_my_plugin_"]) {
      await expect(define(name)).rejects.toEqual(protocolError);
    }
  });

  test("updates reach only metrics the child defined, labelled as it says", async () => {
    const { registry, child, bad } = services();
    await child.call("metrics.define", {
      kind: "counter",
      name: "tessera_plugin_probe_hits_total",
      help: "Hits",
      labelNames: ["route"],
    });
    await child.call("metrics.define", { kind: "gauge", name: "tessera_plugin_probe_open", help: "Open", labelNames: [] });
    await child.call("metrics.define", {
      kind: "histogram",
      name: "tessera_plugin_probe_seconds",
      help: "Seconds",
      labelNames: [],
      buckets: [1],
    });
    registry.counter({ name: "tessera_core_total", help: "core" });
    child.notify("metrics.update", { name: "tessera_plugin_probe_hits_total", op: "inc", value: 2, labels: { route: "/a" } });
    child.notify("metrics.update", { name: "tessera_plugin_probe_open", op: "set", value: 7 });
    child.notify("metrics.update", { name: "tessera_plugin_probe_seconds", op: "observe", value: 0.5 });
    child.notify("metrics.update", { name: "tessera_core_total", op: "inc", value: 5 });
    child.notify("metrics.update", { name: "tessera_plugin_probe_open", op: "inc", value: "x" });
    await until(() => bad.length === 1);
    const text = registry.render();
    expect(text).toContain('tessera_plugin_probe_hits_total{route="/a"} 2');
    expect(text).toContain("tessera_plugin_probe_open 7");
    expect(text).toContain("tessera_plugin_probe_seconds_count 1");
    expect(text).toContain("tessera_core_total 0");
    expect(bad).toEqual([protocolError]);
  });
});

describe("auth", () => {
  const principal: Principal = {
    kind: "user",
    user: { id: "u1", email: null, emailVerified: false, name: null, isAdmin: false, guestOf: null, createdAt: 0 },
    isAdmin: false,
    via: "session",
  };
  const seen: Request[] = [];
  const auth = {
    principal: async (request: Request) => {
      seen.push(request);
      return principal;
    },
    requireUser: async () => principal,
    requireAdmin: async () => principal,
    requireRole: async (_request: Request, workspaceId: string, role: string) => ({ principal, role, workspaceId }),
  } as unknown as Auth;

  test("resolves the principal from the original request the number names; an unknown number is a 401", async () => {
    const { core, child } = pair();
    const original = new Request("http://localhost/probe", { headers: { authorization: "Bearer secret" } });
    const inFlight = new Map([[7, original]]);
    serveAuth(core, auth, inFlight);
    expect(await child.call("auth.principal", { request: 7 })).toMatchObject({ kind: "user", user: { id: "u1" } });
    expect(seen.at(-1)).toBe(original);
    expect(await child.call("auth.requireRole", { request: 7, workspaceId: "w1", role: "member" })).toMatchObject({
      role: "member",
    });
    inFlight.delete(7);
    await expect(child.call("auth.requireUser", { request: 7 })).rejects.toEqual(
      expect.objectContaining({ code: "ERR_UNAUTHENTICATED", status: 401 }),
    );
    await expect(child.call("auth.requireAdmin", { request: 8 })).rejects.toEqual(expect.objectContaining({ status: 401 }));
  });

  test("refuses malformed params", async () => {
    const { core, child } = pair();
    serveAuth(core, auth, new Map());
    await expect(child.call("auth.requireUser", { request: "7" })).rejects.toEqual(protocolError);
    await expect(child.call("auth.requireRole", { request: 1, workspaceId: "w", role: "god" })).rejects.toEqual(protocolError);
  });
});

describe("events", () => {
  test("subscriptions deliver events as notifications and all end with the child", async () => {
    const events = new MemoryEventBus();
    const { core, child } = pair();
    const drop = serveEvents(core, events);
    const delivered: unknown[] = [];
    child.handle("event", (params) => {
      delivered.push(params);
    });
    await child.call("events.subscribe", { subscription: 1, workspaceId: "w1" });
    await child.call("events.subscribe", { subscription: 2, workspaceId: null });
    await expect(child.call("events.subscribe", { subscription: 2, workspaceId: null })).rejects.toEqual(protocolError);
    const published = await child.call("events.publish", { workspaceId: "w1", event: "probe.ping", data: { n: 1 } });
    expect(published).toMatchObject({ workspaceId: "w1", event: "probe.ping", data: { n: 1 } });
    await until(() => delivered.length === 2);
    expect(delivered).toEqual([
      { subscription: 1, event: published },
      { subscription: 2, event: published },
    ]);
    expect(await child.call("events.replay", { workspaceId: "w1", since: "0" })).toMatchObject({ events: [published] });
    await child.call("events.unsubscribe", { subscription: 1 });
    drop();
    await events.publish("w1", "probe.ping", {});
    await Bun.sleep(20);
    expect(delivered.length).toBe(2);
    await expect(child.call("events.publish", { workspaceId: "w1", data: 1 })).rejects.toEqual(protocolError);
  });
});

describe("db.query", () => {
  test("without a database (no migrations declared) is ERR_ISOLATION_UNSUPPORTED; a malformed query is refused", async () => {
    const { core, child } = pair();
    serveDb(core, "probe", undefined);
    await expect(child.call("db.query", { sql: "SELECT 1", params: [], method: "all" })).rejects.toEqual(
      expect.objectContaining({ code: "ERR_ISOLATION_UNSUPPORTED", message: expect.stringContaining("declaring migrations") }),
    );
    await expect(child.call("db.query", { sql: "SELECT 1", params: [], method: "drop" })).rejects.toEqual(protocolError);
  });
});

describe("log and denied", () => {
  test("log lines keep their level; a refused access is logged as PermissionDenied with the plugin, value and grant", async () => {
    const { log, lines } = recordingLog();
    const { core, child } = pair();
    serveLog(core, "./probe", log);
    child.notify("log", { level: "warn", message: "careful", fields: { n: 1 } });
    child.notify("denied", { kind: "env", value: "PROBE_SECRET" });
    child.notify("denied", { kind: "read", value: "/etc/passwd" });
    child.notify("log", { level: "fatal", message: "x" });
    await until(() => lines.length === 4);
    expect(lines[0]).toEqual({ level: "warn", message: "careful", fields: { n: 1 } });
    expect(lines[1]).toMatchObject({
      level: "error",
      fields: {
        code: "ERR_PERMISSION_ENV",
        plugin: "./probe",
        value: "PROBE_SECRET",
        grant: 'plugins["./probe"].permissions.env: ["PROBE_SECRET"]',
      },
    });
    expect(lines[2]).toMatchObject({
      fields: { code: "ERR_PERMISSION_READ", value: "/etc/passwd", grant: 'plugins["./probe"].isolation: "none"' },
    });
    expect(lines[3]).toMatchObject({ level: "warn", message: "isolated plugin sent a malformed log line" });
  });
});
