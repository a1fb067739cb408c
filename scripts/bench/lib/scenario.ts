// What a benchmark scenario is: contenders prepared side by side, each measured the same way, so the
// runner can alternate them (A B A B …) and report medians and ratios.
import { runWrk } from "./wrk";

export interface Contender {
  name: string;
  /** One sample of the scenario's unit. */
  measure(durationSeconds: number): Promise<number>;
}

export interface Prepared {
  contenders: Contender[];
  cleanup(): Promise<void>;
}

export interface Scenario {
  name: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  prepare(): Promise<Prepared>;
}

export interface HttpTarget {
  url: string;
  headers?: Record<string, string>;
}

/** Requests per second under wrk; a run with non-2xx answers is an error, not a fast number. */
export const httpContender = (name: string, target: HttpTarget, connections = 50): Contender => ({
  name,
  async measure(durationSeconds) {
    const result = await runWrk({ ...target, durationSeconds, connections, threads: 1 });
    if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers from ${target.url}`);
    return result.requestsPerSecond;
  },
});
