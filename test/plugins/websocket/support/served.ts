// A real `tessera serve` process with the websocket plugin, plus the few HTTP and CLI steps the
// WebSocket e2e tests need (users, sessions, workspaces, members).
import { type ServedInstance, serveProcess } from "../../../support/serve-process";
import { openProbe, type Probe } from "./probe";

export const ALLOWED_ORIGIN = "http://localhost:3000";

export interface WsInstance {
  served: ServedInstance;
  /** ws://host:port/ws */
  wsUrl: string;
  http(path: string, token?: string, init?: RequestInit): Promise<Response>;
  /** Creates a user and a session; returns the user id and the session token. */
  user(email: string, ttl?: string): Promise<{ id: string; token: string }>;
  session(email: string, ttl?: string): Promise<string>;
  workspace(token: string, name?: string): Promise<string>;
  addMember(token: string, workspaceId: string, email: string, role?: string): Promise<void>;
  removeMember(token: string, workspaceId: string, userId: string): Promise<void>;
  /** Opens a socket with the token as a bearer header and waits for `ready`. */
  connect(token: string, headers?: Record<string, string>): Promise<Probe>;
  stop(): Promise<number>;
}

const expectStatus = async (response: Response, status: number, what: string) => {
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${await response.text()}`);
};

export const serveWebSocket = async (websocket: Record<string, unknown> = {}): Promise<WsInstance> => {
  const served = await serveProcess({
    server: { allowedOrigins: [ALLOWED_ORIGIN] },
    database: { url: "sqlite:./data/tessera.db" },
    log: { level: "warn" },
    plugins: { websocket: { enabled: true, connectionAttemptsPerMinutePerIp: 100_000, ...websocket } },
  });
  const http = (path: string, token?: string, init: RequestInit = {}) =>
    fetch(`${served.url}${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    });
  const session = async (email: string, ttl = "1h") => {
    const created = await served.cli("sessions", "create", "--email", email, "--ttl", ttl);
    if (created.code !== 0) throw new Error(`sessions create failed: ${created.stderr}`);
    return created.stdout.trim();
  };
  const instance: WsInstance = {
    served,
    wsUrl: `${served.url.replace(/^http/, "ws")}/ws`,
    http,
    session,
    async user(email, ttl) {
      const created = await served.cli("users", "create", "--email", email);
      if (created.code !== 0) throw new Error(`users create failed: ${created.stderr}`);
      const { id } = JSON.parse(created.stdout);
      return { id, token: await session(email, ttl) };
    },
    async workspace(token, name = "team") {
      const response = await http("/workspaces", token, { method: "POST", body: JSON.stringify({ name }) });
      await expectStatus(response, 201, "POST /workspaces");
      return (await response.json()).id;
    },
    async addMember(token, workspaceId, email, role = "member") {
      const response = await http(`/workspaces/${workspaceId}/members`, token, {
        method: "POST",
        body: JSON.stringify({ email, role }),
      });
      await expectStatus(response, 201, "POST members");
    },
    async removeMember(token, workspaceId, userId) {
      const response = await http(`/workspaces/${workspaceId}/members/${userId}`, token, { method: "DELETE" });
      await expectStatus(response, 204, "DELETE member");
    },
    async connect(token, headers = {}) {
      const probe = await openProbe(instance.wsUrl, { headers: { authorization: `Bearer ${token}`, ...headers } });
      await probe.next("ready");
      return probe;
    },
    stop: () => served.stop(),
  };
  return instance;
};
