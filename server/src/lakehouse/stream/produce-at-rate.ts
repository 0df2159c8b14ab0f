import { setTimeout as sleep } from 'node:timers/promises';
import type { EventGenerator } from './event-generator.ts';
import type { EventProducer } from './event-producer.ts';
import type { StreamEvent } from './event-types.ts';

/** A producer loop running in the background. */
export interface RunningProducer {
  /** Events acknowledged so far. */
  readonly sent: () => number;
  /** Settles when the loop ends: `maxEvents` reached or stopped. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Emits `ratePerSecond` events on average, in ticks of `tickMs`, until stopped or `maxEvents`
 * events were produced. `onSent` sees every acknowledged batch (the freshness bench uses it).
 */
export function produceAtRate(options: {
  readonly producer: EventProducer;
  readonly generator: EventGenerator;
  readonly ratePerSecond: number;
  readonly tickMs?: number;
  readonly maxEvents?: number;
  readonly onSent?: (events: readonly StreamEvent[], ackedAt: number) => void;
  readonly onError?: (error: unknown) => void;
}): RunningProducer {
  const tickMs = options.tickMs ?? 100;
  let stopped = false;
  let produced = 0;
  let acked = 0;
  const loop = (async () => {
    const started = Date.now();
    while (!stopped && produced < (options.maxEvents ?? Infinity)) {
      const due = Math.min(Math.floor(((Date.now() - started) / 1000) * options.ratePerSecond), options.maxEvents ?? Infinity);
      const events = options.generator.take(Math.max(0, due - produced));
      produced += events.length;
      if (events.length > 0) {
        try {
          const result = await options.producer.send(events);
          acked += result.acknowledged.length;
          const ok = new Set(result.acknowledged);
          options.onSent?.(events.filter((e) => ok.has(e.event_id)), Date.now());
        } catch (error) {
          options.onError?.(error);
        }
      }
      await sleep(tickMs);
    }
  })();
  return {
    sent: () => acked,
    done: loop,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
