/**
 * The scheduled refresh (Cube's refresh worker): at start it builds what is missing in the
 * background — queries go to the source until each rollup is ready — then checks every rollup's
 * refresh key on a timer and rebuilds what changed. One pass at a time; builds share the
 * refresher's concurrency limit.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { Logger } from '../observability/create-logger.ts';
import type { RollupRefresher, RollupStatus } from './refresh-rollups.ts';

export interface RefreshWorkerOptions {
  readonly refresher: RollupRefresher;
  readonly model: () => SemanticModel;
  /** Time between two passes (Cube's scheduled refresh timer, default 30 s). */
  readonly intervalMs: number;
  readonly logger?: Logger;
}

export class RefreshWorker {
  private readonly options: RefreshWorkerOptions;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<RollupStatus[]> | undefined;

  constructor(options: RefreshWorkerOptions) {
    this.options = options;
  }

  /** Starts the first pass now (not awaited) and the timer. */
  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One pass over every scheduled rollup; joins the running pass if there is one. */
  tick(): Promise<RollupStatus[]> {
    this.pass ??= this.options.refresher
      .refresh(this.options.model())
      .then((statuses) => {
        for (const s of statuses.filter((x) => x.state === 'failed')) this.options.logger?.error({ rollup: s.id, error: s.lastError }, 'pre-aggregation build failed');
        return statuses;
      })
      .catch((error: unknown) => {
        this.options.logger?.error({ err: error }, 'pre-aggregation refresh pass failed');
        return [];
      })
      .finally(() => {
        this.pass = undefined;
      });
    return this.pass;
  }

  /** Stops the timer and waits for the running pass, so the store can close safely. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pass;
  }
}
