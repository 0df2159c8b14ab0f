import { setTimeout as sleep } from 'node:timers/promises';
import type { EventConsumer } from './event-consumer.ts';
import type { StreamMonitor } from './stream-monitor.ts';

/** A failed consumer is started again after 1 s, then 2, 4 … up to 30 s while it keeps failing. */
const RESTART_MS = { first: 1_000, max: 30_000 };

/** What the supervisor needs: a way to make a consumer, where to log and whom to tell. */
export interface SuperviseOptions {
  readonly signal: AbortSignal;
  readonly logger: { error(object: object, message?: string): void };
  readonly monitor: StreamMonitor;
  /** A new consumer (after making sure the stream exists); it is `init`ed and `run` here. */
  readonly create: () => Promise<EventConsumer>;
  readonly restartMs?: { readonly first: number; readonly max: number };
}

/**
 * Runs the consumer until aborted, restarting it from its durable checkpoint after a failure,
 * with exponential backoff: a failure that persists (Kinesis unreachable) costs one log line per
 * backoff step, never one a second, and keeps the monitor (hence /readyz) at "failing" until a
 * round succeeds. Conditions that are not failures — checkpoints of a recreated stream — are
 * handled inside the consumer with one warning and never reach this loop.
 */
export async function superviseConsumer(options: SuperviseOptions): Promise<void> {
  const backoff = options.restartMs ?? RESTART_MS;
  let delayMs = backoff.first;
  let failures = 0;
  while (!options.signal.aborted) {
    const roundsBefore = options.monitor.snapshot().rounds;
    try {
      const consumer = await options.create();
      await consumer.init();
      await consumer.run(options.signal);
    } catch (error) {
      if (options.signal.aborted) return;
      // It had been reading (a round succeeded since the last start): a new incident, not the same one.
      if (options.monitor.snapshot().rounds > roundsBefore) {
        failures = 0;
        delayMs = backoff.first;
      }
      failures++;
      options.monitor.consumerFailed(error);
      options.logger.error({ err: error, failures, retryInMs: delayMs }, 'stream consumer failed; restarting from the checkpoint');
      await sleep(delayMs, undefined, { signal: options.signal }).catch(() => undefined);
      delayMs = Math.min(backoff.max, delayMs * 2);
    }
  }
}
