// The OpenAPI 3.1 document at /openapi, generated from the routes' schemas and `detail.responses`
// (problem-schema.ts). No UI: the console must not reach for a CDN, and any OpenAPI viewer can open it.
import { toOpenAPISchema } from "@elysiajs/openapi";
import { Elysia, t } from "elysia";
import pkg from "../../../package.json";
import { Problem, refusalDoc, responses } from "../problem-schema";

const OPENAPI_VERSION = "3.1.2";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const securitySchemes = {
  sessionToken: {
    type: "http",
    scheme: "bearer",
    description:
      "A Tessera session token (`tessera sessions create`, the console's sign-in) or, with the oidc plugin, an access token from the identity provider.",
  },
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: "tessera_session",
    description: "The console's session cookie; a change sent with it must come from server.allowedOrigins.",
  },
  apiKey: {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "An API key of the api-key plugin, on the routes its `protect` map names.",
  },
  metricsToken: { type: "http", scheme: "bearer", description: "metrics.token, for /metrics and the detailed /readyz." },
};

type Operation = { responses?: Record<string, unknown>; security?: unknown };
type Paths = Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;

/** Any operation can be refused before its handler runs (Host, body size, rate limits), always as problem+json. */
const withDefaultProblem = (paths: Paths) => {
  for (const methods of Object.values(paths)) {
    for (const method of METHODS) {
      const operation = methods[method];
      if (operation) operation.responses = { ...operation.responses, default: refusalDoc(0, "Refused or failed (problem+json)") };
    }
  }
  return paths;
};

export const openApiRoutes = () => {
  const app = new Elysia({ name: "tessera-openapi" });
  let document: unknown;
  let routeCount = -1;
  return app.get(
    "/openapi",
    () => {
      // Routes are all mounted before the first request; the count only guards a test that mounts later.
      if (routeCount === app.routes.length) return document;
      routeCount = app.routes.length;
      const { paths, components } = toOpenAPISchema(
        app,
        // The generator skips paths with a dot as static files by default; /.well-known/tessera is an API.
        { staticFile: false },
        undefined,
        undefined,
        OPENAPI_VERSION,
      );
      document = {
        openapi: OPENAPI_VERSION,
        info: { title: "Tessera", version: pkg.version, description: "Self-hosted control plane: core and enabled plugins." },
        // Sent to whichever of these the caller has; routes open to anyone say `security: []`.
        security: [{ sessionToken: [] }, { sessionCookie: [] }, { apiKey: [] }],
        paths: withDefaultProblem(paths as Paths),
        components: { ...components, schemas: { ...components.schemas, Problem }, securitySchemes },
      };
      return document;
    },
    {
      detail: {
        summary: "This document",
        tags: ["operations"],
        security: [],
        responses: responses({ 200: t.Object({ openapi: t.String(), paths: t.Record(t.String(), t.Any()) }) }),
      },
    },
  );
};
