// Job changes on the workspace's event stream (the websocket plugin delivers them). The change is
// already committed and kept in job_events, so a failed publish is logged, not turned into a 5xx.
import type { EventBus, Logger } from "tessera/plugin";
import { type JobEventName, type JobSummary, toSummary } from "./job";

export type PublishJob = (event: JobEventName, job: JobSummary) => Promise<void>;

export const jobPublisher =
  (events: EventBus, log: Logger): PublishJob =>
  async (event, job) => {
    if (job.workspaceId === null) return;
    try {
      // Summaries only: a payload or result (up to 64 KiB each) is fetched by those who want it.
      await events.publish(job.workspaceId, event, toSummary(job));
    } catch (error) {
      log.warn("job event not published; it is kept in the job's history", { event, jobId: job.id, error });
    }
  };
