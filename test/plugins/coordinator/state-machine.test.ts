import { describe, expect, test } from "bun:test";
import { JOB_STATUSES } from "../../../plugins/coordinator/job";
import { eventFor, sourcesOf } from "../../../plugins/coordinator/state-machine";

describe("the job state machine", () => {
  test("allows exactly pending → running → completed | failed | cancelled, and cancel or fail before start", () => {
    const moves = JOB_STATUSES.flatMap((to) => sourcesOf(to).map((from) => `${from}→${to}`)).sort();
    expect(moves).toEqual([
      "pending→cancelled",
      "pending→failed",
      "pending→running",
      "running→cancelled",
      "running→completed",
      "running→failed",
    ]);
  });

  test("names the event each move publishes", () => {
    expect(JOB_STATUSES.map(eventFor)).toEqual(["job.status", "job.status", "job.completed", "job.failed", "job.status"]);
  });
});
