// The OpenAPI document with every built-in plugin enabled: valid OpenAPI 3.1 by a real validator, every
// route in it with a response schema, refusals as problem+json, and the credentials each route takes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { startTestProvider, type TestProvider } from "../../support/oidc-provider";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

type Operation = {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: Record<string, string[]>[];
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  security: Record<string, string[]>[];
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Record<string, string>> };
};

let provider: TestProvider;
let t: TestRuntime;
let document: Document;

beforeAll(async () => {
  provider = await startTestProvider({ redirectUri: "http://localhost/auth/callback" });
  t = await startTestRuntime({
    admins: ["admin@example.com"],
    plugins: {
      "api-key": { enabled: true, keys: [] },
      coordinator: { enabled: true },
      federation: { enabled: true },
      websocket: { enabled: true },
      console: { enabled: true },
      oidc: { enabled: true, issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
    },
  });
  document = (await (await t.request("/openapi")).json()) as Document;
}, 30_000);
afterAll(async () => {
  await t?.close();
  await provider?.close();
});

const operation = (path: string, method: string): Operation => {
  const found = document.paths[path]?.[method];
  if (!found) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
  return found;
};

/** Elysia's `/a/:id` as OpenAPI's `/a/{id}`. */
const openApiPath = (path: string) => path.replace(/:([^/]+)/g, "{$1}");

describe("the OpenAPI document", () => {
  test("is valid OpenAPI 3.1 by the validator's schema, references resolved", async () => {
    expect(document.openapi).toStartWith("3.1");
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  test("lists every route of the app with at least one response schema", () => {
    const routes = t.runtime.app.routes.map((route) => ({ method: route.method.toLowerCase(), path: openApiPath(route.path) }));
    expect(routes.length).toBeGreaterThan(50);
    const undocumented = routes.filter(({ method, path }) => {
      const responses = document.paths[path]?.[method]?.responses ?? {};
      return !Object.entries(responses).some(
        ([status, response]) =>
          status !== "default" && (Object.keys(response.content ?? {}).length > 0 || /^(101|204|30\d)$/.test(status)),
      );
    });
    expect(undocumented).toEqual([]);
  });

  test("includes the federation routes and /.well-known/tessera", () => {
    for (const [path, method] of [
      ["/.well-known/tessera", "get"],
      ["/federation/v1/inbox", "post"],
      ["/federation/peers", "get"],
      ["/federation/peers/{id}/accept", "post"],
    ] as const) {
      const success = operation(path, method).responses?.["200"]?.content ?? {};
      expect(Object.values(success)[0]?.schema, `${method} ${path}`).toBeObject();
    }
  });

  test("answers every refusal as problem+json with the shared Problem schema", () => {
    const problem = document.components.schemas.Problem as { type: string; required: string[] };
    expect(problem.type).toBe("object");
    expect(problem.required).toEqual(expect.arrayContaining(["code", "status", "title", "type"]));
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, { responses = {} }] of Object.entries(methods)) {
        // Not ready is readiness's own answer, not a refusal.
        const refusals = Object.entries(responses).filter(
          ([status]) => status === "default" || (Number(status) >= 400 && !(path === "/readyz" && status === "503")),
        );
        expect(refusals.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [status, response] of refusals) {
          expect(response.content, `${method} ${path} ${status}`).toEqual({
            "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
          });
        }
      }
    }
    expect(Object.keys(operation("/workspaces/{id}", "get").responses ?? {})).toEqual(
      expect.arrayContaining(["401", "403", "404"]),
    );
  });

  test("names the credentials: session bearer token, session cookie, X-API-Key and the metrics token", () => {
    expect(document.components.securitySchemes).toMatchObject({
      sessionToken: { type: "http", scheme: "bearer" },
      sessionCookie: { type: "apiKey", in: "cookie", name: "tessera_session" },
      apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
      metricsToken: { type: "http", scheme: "bearer" },
    });
    expect(document.security).toEqual([{ sessionToken: [] }, { sessionCookie: [] }, { apiKey: [] }]);
    expect(operation("/metrics", "get").security).toEqual([{ metricsToken: [] }]);
    for (const [path, method] of [
      ["/healthz", "get"],
      ["/.well-known/tessera", "get"],
      ["/federation/v1/inbox", "post"],
      ["/auth/login", "get"],
      ["/auth/callback", "get"],
    ] as const) {
      expect(operation(path, method).security, `${method} ${path}`).toEqual([]);
    }
  });

  test("what the routes answer matches their documented schemas", async () => {
    const user = await createUser(t.runtime.db, { email: "reader@example.com", name: "Reader" });
    const { token } = await createSession(t.runtime.db, user.id, { ttlMs: 60_000 });
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await t.request("/workspaces", { method: "POST", headers: auth, body: JSON.stringify({ name: "Docs" }) });
    const { id } = (await created.clone().json()) as { id: string };
    const calls: [string, string, string, Promise<Response>][] = [
      ["/workspaces", "post", "201", Promise.resolve(created)],
      ["/healthz", "get", "200", t.request("/healthz")],
      ["/readyz", "get", "200", t.request("/readyz")],
      ["/me", "get", "200", t.request("/me", { headers: auth })],
      ["/workspaces", "get", "200", t.request("/workspaces", { headers: auth })],
      ["/workspaces/{id}", "get", "200", t.request(`/workspaces/${id}`, { headers: auth })],
      ["/workspaces/{id}/members", "get", "200", t.request(`/workspaces/${id}/members`, { headers: auth })],
      ["/workspaces/{id}/jobs", "get", "200", t.request(`/workspaces/${id}/jobs`, { headers: auth })],
      ["/workspaces/{id}/shares", "get", "200", t.request(`/workspaces/${id}/shares`, { headers: auth })],
      ["/agents", "get", "200", t.request(`/agents?workspaceId=${id}`, { headers: auth })],
      ["/.well-known/tessera", "get", "200", t.request("/.well-known/tessera")],
      ["/auth/providers", "get", "200", t.request("/auth/providers")],
      ["/ws/ticket", "post", "200", t.request("/ws/ticket", { method: "POST", headers: { authorization: auth.authorization } })],
      ["/workspaces/{id}", "get", "401", t.request(`/workspaces/${id}`)],
      ["/workspaces/{id}", "get", "404", t.request("/workspaces/no-such-workspace", { headers: auth })],
    ];
    // The document's own JSON Schemas, checked by a JSON Schema 2020-12 validator (OpenAPI 3.1's dialect).
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const problem = ajv.compile(document.components.schemas.Problem ?? false);
    for (const [path, method, status, answer] of calls) {
      const response = await answer;
      const where = `${method.toUpperCase()} ${path} ${status}`;
      expect(String(response.status), where).toBe(status);
      const [type, media] = Object.entries(operation(path, method).responses?.[status]?.content ?? {})[0] ?? [];
      expect(response.headers.get("content-type") ?? "", where).toStartWith(type ?? "no documented body");
      expect(media?.schema, where).toBeObject();
      const check = type === "application/problem+json" ? problem : ajv.compile(media?.schema ?? false);
      check(await response.json());
      expect(check.errors ?? [], where).toEqual([]);
    }
  });
});
