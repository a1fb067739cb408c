// A runtime with the api-key and coordinator plugins, keys for each case, a workspace with an owner
// and a stranger, and helpers to call the job API as a service or as a user.
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { createWorkspace } from "../../../core/identity/workspaces";
import { generateApiKey, hashApiKey } from "../../../plugins/api-key/keyring";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

export const serviceKeys = {
  coordinator: generateApiKey(),
  chat: generateApiKey(),
  expired: generateApiKey(),
};

export const apiKeySection = (
  protect: Record<string, string> = { "/coordinator": "coordinator", "/stitcher": "coordinator" },
) => ({
  enabled: true,
  keys: [
    { name: "coordinator", hash: hashApiKey(serviceKeys.coordinator), scopes: ["coordinator"] },
    { name: "chat", hash: hashApiKey(serviceKeys.chat), scopes: ["chat"] },
    { name: "retired", hash: hashApiKey(serviceKeys.expired), scopes: ["coordinator"], notAfter: "2021-06-30T00:00:00Z" },
  ],
  protect,
});

export interface CoordinatorRuntime {
  t: TestRuntime;
  workspaceId: string;
  otherWorkspaceId: string;
  tokens: { owner: string; stranger: string };
  /** Calls the API with the coordinator's key (or `key`), JSON in and out. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Calls as a signed-in user. */
  asUser(who: "owner" | "stranger", path: string): Promise<Response>;
  close(): Promise<void>;
}

export const startCoordinator = async (
  options: { databaseUrl?: string; protect?: Record<string, string> } = {},
): Promise<CoordinatorRuntime> => {
  const t = await startTestRuntime({
    database: { url: options.databaseUrl ?? "sqlite::memory:" },
    plugins: { "api-key": apiKeySection(options.protect), coordinator: { enabled: true } },
  });
  const owner = await createUser(t.runtime.db, { email: "owner@example.com", name: "Owner" });
  const stranger = await createUser(t.runtime.db, { email: "stranger@example.com", name: "Stranger" });
  const workspace = await createWorkspace(t.runtime.db, "Platform", owner.id);
  const other = await createWorkspace(t.runtime.db, "Elsewhere", stranger.id);
  const session = async (userId: string) => (await createSession(t.runtime.db, userId, { ttlMs: 3_600_000 })).token;
  const tokens = { owner: await session(owner.id), stranger: await session(stranger.id) };
  return {
    t,
    workspaceId: workspace.id,
    otherWorkspaceId: other.id,
    tokens,
    call: (method, path, body, headers = {}) =>
      t.request(path, {
        method,
        headers: {
          "x-api-key": serviceKeys.coordinator,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    asUser: (who, path) => t.request(path, { headers: { authorization: `Bearer ${tokens[who]}` } }),
    close: () => t.close(),
  };
};
