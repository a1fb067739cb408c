// Two `tessera serve` processes peered over loopback (a hub and a spoke, each with its own SQLite
// database), for e2e tests of what crosses between instances: the hub's admin adds the spoke, the
// spoke's admin accepts it with the given grants. Timeouts are short so tests stay fast.
import { join } from "node:path";
import { freePort } from "./free-port";
import { type ServedInstance, serveProcess } from "./serve-process";

const ROOT = join(import.meta.dir, "..", "..");
export const ADMIN = "admin@example.com";
export const ALL_COMMANDS = ["agent.spawn", "agent.status", "agent.kill", "agent.list"];

export interface Instance {
  served: ServedInstance;
  url: string;
  id: string;
  /** A session token of the instance administrator. */
  admin: string;
  call(method: string, path: string, token: string, body?: unknown): Promise<Response>;
  /** A session token for a (new) user with this email. */
  token(email: string, name?: string): Promise<string>;
}

export interface PairOptions {
  /** Extra plugins.federation config of each side. */
  hub?: Record<string, unknown>;
  spoke?: Record<string, unknown>;
  /** Extra plugins (the console, say) on both. */
  plugins?: Record<string, unknown>;
  grants?: Record<string, unknown>;
}

const AGENTS = {
  types: {
    echo: { command: ["bun", join(ROOT, "scripts/agents/echo.ts")], timeoutMs: 5000 },
    sleeper: { command: ["bun", join(ROOT, "scripts/agents/sleeper.ts")], timeoutMs: 10_000 },
  },
  killGraceMs: 300,
};

const config = (port: number, otherPort: number, name: string, options: PairOptions, extra: Record<string, unknown> = {}) => ({
  server: { publicUrl: `http://127.0.0.1:${port}`, allowedOrigins: [`http://127.0.0.1:${port}`] },
  database: { url: `sqlite:./${name}.db` },
  admins: [ADMIN],
  plugins: {
    ...options.plugins,
    federation: {
      enabled: true,
      name,
      peers: { allowedHosts: [`127.0.0.1:${otherPort}`] },
      delivery: { timeoutMs: 2000, commandAttempts: 2, outboxAttempts: 20, baseDelayMs: 100, maxDelayMs: 500 },
      ...extra,
    },
  },
});

const cliOut = async (served: ServedInstance, ...args: string[]) => {
  const result = await served.cli(...args);
  if (result.code !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
};

const instance = async (served: ServedInstance): Promise<Instance> => {
  const call = (method: string, path: string, auth: string, body?: unknown) =>
    fetch(`${served.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const token = async (email: string, name?: string) => {
    await served.cli("users", "create", "--email", email, ...(name ? ["--name", name] : []));
    return cliOut(served, "sessions", "create", "--email", email);
  };
  const { id } = await (await fetch(`${served.url}/.well-known/tessera`)).json();
  return { served, url: served.url, id, admin: await token(ADMIN), call, token };
};

export const startFederatedPair = async (options: PairOptions = {}): Promise<{ hub: Instance; spoke: Instance }> => {
  const [hubPort, spokePort] = await Promise.all([freePort(), freePort()]);
  const [hubServed, spokeServed] = await Promise.all([
    serveProcess(config(hubPort, spokePort, "hub", options, options.hub), { port: hubPort }),
    serveProcess(config(spokePort, hubPort, "spoke", options, { agents: AGENTS, ...options.spoke }), { port: spokePort }),
  ]);
  const [hub, spoke] = await Promise.all([instance(hubServed), instance(spokeServed)]);
  await cliOut(hub.served, "peers", "add", spoke.url);
  const accepted = await spoke.call("POST", `/federation/peers/${hub.id}/accept`, spoke.admin, {
    grants: options.grants ?? { commands: ALL_COMMANDS, agentTypes: ["echo", "sleeper"] },
  });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${await accepted.text()}`);
  return { hub, spoke };
};

export const stopPair = async (pair: { hub?: Instance; spoke?: Instance }) =>
  Promise.all([pair.hub?.served.stop(), pair.spoke?.served.stop()]);

/** Polls until `read` gives a value `done` accepts. */
export const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
};
