// GET / (the console's page) and its script and stylesheet under /console.
import { Elysia, t } from "elysia";
import { type OtherResponse, responses } from "tessera/plugin";
import { assetResponse } from "./asset-response";
import type { ConsoleAssets } from "./assets";

const tags = ["console"];
const asset = (type: string): OtherResponse => ({
  description: "The asset; 304 to a matching If-None-Match",
  body: { [type]: t.String() },
});
const page = {
  security: [],
  responses: responses({ 200: asset("text/html"), 304: { description: "Not Modified", body: null } }),
};
const VersionQuery = t.Object({ v: t.Optional(t.String({ maxLength: 64 })) });

export const pageRoutes = (assets: () => Promise<ConsoleAssets>, pageHeaders: Record<string, string>) =>
  new Elysia({ name: "console-page" })
    .get("/", async ({ request }) => assetResponse(request, (await assets()).page, { headers: pageHeaders }), {
      detail: { summary: "The console: sign in, workspaces, live jobs and agents, peers (admins)", tags, ...page },
    })
    .get(
      "/console/app.js",
      async ({ request, query }) => assetResponse(request, (await assets()).script, { requestedVersion: query.v }),
      {
        query: VersionQuery,
        detail: {
          summary: "The console's script",
          tags,
          security: [],
          responses: responses({ 200: asset("text/javascript"), 304: { description: "Not Modified", body: null } }),
        },
      },
    )
    .get(
      "/console/app.css",
      async ({ request, query }) => assetResponse(request, (await assets()).style, { requestedVersion: query.v }),
      {
        query: VersionQuery,
        detail: {
          summary: "The console's stylesheet",
          tags,
          security: [],
          responses: responses({ 200: asset("text/css"), 304: { description: "Not Modified", body: null } }),
        },
      },
    );
