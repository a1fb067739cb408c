// An agent's life: queued → running → completed | failed | killed | timed_out | lost.

export const AGENT_STATUSES = ["queued", "running", "completed", "failed", "killed", "timed_out", "lost"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const ACTIVE_STATUSES: readonly AgentStatus[] = ["queued", "running"];

export const isTerminal = (status: AgentStatus): boolean => !ACTIVE_STATUSES.includes(status);

export const isAgentStatus = (value: string): value is AgentStatus => AGENT_STATUSES.some((status) => status === value);

/**
 * Whether a report of `next` may replace what is known (`current`): reports can arrive out of order, so
 * state only moves forward. `lost` was a guess made without the runner's word, so any report replaces it.
 */
export const advances = (current: AgentStatus, next: AgentStatus): boolean => {
  if (current === "lost") return next !== "queued";
  if (isTerminal(current)) return false;
  return current === "queued" || next !== "queued";
};
