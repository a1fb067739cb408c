// GET / (the console's page) and its script and stylesheet under /console.
import { Elysia, t } from "elysia";
import { assetResponse } from "./asset-response";
import type { ConsoleAssets } from "./assets";

const tags = ["console"];
const VersionQuery = t.Object({ v: t.Optional(t.String({ maxLength: 64 })) });

export const pageRoutes = (assets: () => Promise<ConsoleAssets>, pageHeaders: Record<string, string>) =>
  new Elysia({ name: "console-page" })
    .get("/", async ({ request }) => assetResponse(request, (await assets()).page, { headers: pageHeaders }), {
      detail: { summary: "The console: sign in, workspaces, live jobs and agents, peers (admins)", tags },
    })
    .get(
      "/console/app.js",
      async ({ request, query }) => assetResponse(request, (await assets()).script, { requestedVersion: query.v }),
      { query: VersionQuery, detail: { summary: "The console's script", tags } },
    )
    .get(
      "/console/app.css",
      async ({ request, query }) => assetResponse(request, (await assets()).style, { requestedVersion: query.v }),
      { query: VersionQuery, detail: { summary: "The console's stylesheet", tags } },
    );
