/**
 * Times the stages of one request: each stage's milliseconds for the answer's annotation (dev
 * mode), and each duration passed to the engine's `StageObserver` (the Prometheus histograms).
 * A stage that throws is timed too.
 */
import type { RequestContext, StageName, StageObserver, StageTimings } from './engine-types.ts';

export class StageClock {
  private readonly spent: Partial<Record<StageName, number>> = {};

  constructor(
    private readonly api: RequestContext['api'],
    private readonly observe?: StageObserver,
  ) {}

  /** Runs a synchronous stage. */
  time<T>(stage: StageName, run: () => T): T {
    const started = performance.now();
    try {
      return run();
    } finally {
      this.add(stage, performance.now() - started);
    }
  }

  /** Runs a stage that waits (the security hook, access groups, the database). */
  async timeAsync<T>(stage: StageName, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.add(stage, performance.now() - started);
    }
  }

  /** The milliseconds spent so far, by stage. */
  timings(): StageTimings {
    return { ...this.spent };
  }

  private add(stage: StageName, ms: number): void {
    this.spent[stage] = (this.spent[stage] ?? 0) + ms;
    this.observe?.(stage, this.api, ms / 1000);
  }
}
