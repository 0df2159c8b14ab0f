/**
 * Helpers of the runaway-statement suites: cancel a running query the way a Postgres client does
 * (a CancelRequest on a second socket), and check the HTTP server kept answering meanwhile.
 */
import pg from 'pg';
import { expect } from 'vitest';

/** Sends a CancelRequest for `query` running on `target`, from a new connection made with `config`. */
export function sendCancel(config: pg.ClientConfig, target: pg.Client, query: pg.Query): void {
  const canceller = new pg.Client(config) as unknown as { cancel(client: pg.Client, query: pg.Query): void };
  canceller.cancel(target, query);
}

/** The value below which `share` of the samples fall. */
export function percentile(samples: readonly number[], share: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

/** Polls `${baseUrl}/livez` every 20 ms until `stop` settles; returns each answer's latency (ms). */
export async function pollLivez(baseUrl: string, stop: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void stop.finally(() => (done = true));
  while (!done) {
    const started = performance.now();
    const response = await fetch(`${baseUrl}/livez`);
    await response.text();
    expect(response.status).toBe(200);
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 20));
  }
  return latencies;
}

/**
 * /livez must keep answering under 100 ms. The test machine is 2 cores shared with other suites,
 * so a lone poll can wait on the OS scheduler: 95% of polls under 100 ms and none near the
 * seconds-long stall a runaway statement used to cause. Returns a summary line for the log.
 */
export function expectResponsive(latencies: readonly number[]): string {
  const shown = latencies.map((l) => l.toFixed(0)).join(',');
  expect(latencies.length).toBeGreaterThan(5);
  expect(percentile(latencies, 0.95), `livez latencies ${shown}`).toBeLessThan(100);
  expect(Math.max(...latencies), `livez latencies ${shown}`).toBeLessThan(500);
  return `/livez p95 ${percentile(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} polls`;
}
