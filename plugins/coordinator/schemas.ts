// Request bodies and queries of the job API. Unknown fields are refused so a typo surfaces as a 422.
import { type TSchema, Type } from "@sinclair/typebox";
import { t } from "elysia";
import { DisplayName, JsonValue } from "tessera/plugin";
import { JOB_STATUSES } from "./job";

const strict = { additionalProperties: false } as const;

// Ids are generated UUIDs; anything else can't name a row, and a NUL byte would upset PostgreSQL.
export const Id = t.String({ pattern: "^[\\w-]{1,64}$" });
const JobType = t.String({ pattern: "^[A-Za-z0-9][\\w.:-]{0,99}$", description: "e.g. build, review.request" });
// Free text, kept as sent: PostgreSQL text can't hold a NUL byte, so it is refused up front for both dialects alike.
const text = (minLength: number, maxLength: number) => t.String({ minLength, maxLength, pattern: "^[^\\u0000]*$" });
// A title is shown to people as the job's name: the display-name rules apply.
const Title = DisplayName(200, "title");
const Message = text(0, 1000);
const Status = t.Union(JOB_STATUSES.map((status) => t.Literal(status)));

export const JobParams = t.Object({ id: Id });

export const CreateJobBody = t.Object(
  { workspaceId: Id, type: JobType, title: t.Optional(Title), payload: t.Optional(JsonValue("/payload")) },
  strict,
);

export const WebhookBody = t.Object(
  {
    workspaceId: Id,
    event: JobType,
    title: t.Optional(Title),
    data: t.Optional(JsonValue("/data")),
  },
  strict,
);

export const StatusBody = t.Object({ status: Status, message: t.Optional(Message) }, strict);

// TypeBox's own Integer: Elysia's `t.Integer` would also take the string "50".
export const ProgressBody = t.Object(
  { progress: Type.Integer({ minimum: 0, maximum: 100 }), message: t.Optional(Message) },
  strict,
);

export const CompleteBody = t.Object({ result: t.Optional(JsonValue("/result")), message: t.Optional(Message) }, strict);

export const FailBody = t.Object({ error: text(1, 8192), message: t.Optional(Message) }, strict);

export const JobListQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100 })),
  cursor: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  status: t.Optional(Status),
});

// What the API answers, for the OpenAPI document (job.ts, read-jobs.ts).
const Nullable = <S extends TSchema>(schema: S) => t.Union([schema, t.Null()]);
export const JobSummary = t.Object({
  id: t.String(),
  workspaceId: Nullable(t.String()),
  type: t.String(),
  title: Nullable(t.String()),
  status: t.String({ description: JOB_STATUSES.join(", ") }),
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  message: Nullable(t.String()),
  error: Nullable(t.String()),
  createdAt: Type.Integer({ description: "Epoch ms" }),
  updatedAt: Type.Integer({ description: "Epoch ms" }),
});
export const Job = t.Composite([JobSummary, t.Object({ payload: t.Unknown(), result: t.Unknown() })]);
export const JobWithEvents = t.Composite([
  Job,
  t.Object({
    events: t.Array(t.Object({ id: Type.Integer(), type: t.String(), data: t.Unknown(), createdAt: Type.Integer() })),
    eventsTruncated: t.Boolean({ description: "Older events exist beyond the ones shown" }),
  }),
]);
export const JobPage = t.Object({
  jobs: t.Array(JobSummary),
  nextCursor: Nullable(t.String({ description: "Pass as `cursor` for the next (older) page" })),
});
export const CoordinatorHealth = t.Object({
  status: t.Literal("ok"),
  service: t.String(),
  jobs: t.Object({ pending: Type.Integer(), running: Type.Integer() }),
});
