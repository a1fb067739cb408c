// The OpenAPI document at /openapi, generated from the route schemas. No UI: the console must not
// reach for a CDN, and any OpenAPI viewer can open the document.
import { openapi } from "@elysiajs/openapi";
import pkg from "../../../package.json";

export const openApiRoutes = () =>
  openapi({
    path: "/openapi",
    specPath: "/openapi",
    provider: null,
    documentation: {
      info: { title: "Tessera", version: pkg.version, description: "Self-hosted control plane: core and enabled plugins." },
      components: {
        securitySchemes: {
          metricsToken: { type: "http", scheme: "bearer", description: "metrics.token, for /metrics and the detailed /readyz." },
        },
      },
    },
  });
