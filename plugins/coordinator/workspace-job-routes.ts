// Members read their workspace's jobs; a non-member gets the same 404 as for a workspace that doesn't exist.
import { Elysia, t } from "elysia";
import { notFound, responses } from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import type { Auth } from "tessera/plugin/identity";
import { decodeCursor } from "./cursor";
import { findJob, listJobs } from "./read-jobs";
import { Id, JobListQuery, JobPage, JobWithEvents } from "./schemas";

const DEFAULT_PAGE = 50;
const tags = ["jobs"];

export const workspaceJobRoutes = (db: Database, auth: Auth) =>
  new Elysia()
    .get(
      "/workspaces/:id/jobs",
      async ({ request, params, query }) => {
        await auth.requireRole(request, params.id, "viewer");
        return listJobs(db, params.id, {
          limit: query.limit ?? DEFAULT_PAGE,
          cursor: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
          status: query.status,
        });
      },
      {
        params: t.Object({ id: Id }),
        query: JobListQuery,
        detail: {
          summary: "A workspace's jobs, newest first (members)",
          tags,
          responses: responses({ 200: JobPage }, 401, 404, 422),
        },
      },
    )
    .get(
      "/workspaces/:id/jobs/:jobId",
      async ({ request, params }) => {
        await auth.requireRole(request, params.id, "viewer");
        const job = await findJob(db, params.jobId, [params.id]);
        if (!job) throw notFound("No job has this id in this workspace", { path: params.jobId });
        return job;
      },
      {
        params: t.Object({ id: Id, jobId: Id }),
        detail: {
          summary: "One job of a workspace, with its latest events (members)",
          tags,
          responses: responses({ 200: JobWithEvents }, 401, 404),
        },
      },
    );
