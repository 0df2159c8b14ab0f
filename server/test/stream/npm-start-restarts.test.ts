/**
 * The real `npm start`, stopped and started again on the same data (issue 11: after a restart the
 * consumer retried a dead checkpoint every second, nothing landed and /readyz said healthy).
 *
 * A child process per start (its own process group, stopped with SIGTERM as Ctrl-C would), on a
 * temporary lakehouse built at a tiny scale. After each start the test puts its own events on the
 * server's stream (a fresh visitor whose page views carry a campaign tag no other event has) and
 * asks REST how many events that campaign has: the answer must reach the number sent within 5 s,
 * and the server's output must hold no error line. Then the same with the stream's data folder
 * deleted (the stream is created again: one warning), and against an external Kinesis that goes
 * away: /readyz must say DOWN while the consumer fails and HEALTH once it reads again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildLakehouse } from '../../src/lakehouse/build-lakehouse.ts';
import { createKinesisClient } from '../../src/lakehouse/stream/create-kinesis-client.ts';
import { EventProducer } from '../../src/lakehouse/stream/event-producer.ts';
import type { StreamEvent } from '../../src/lakehouse/stream/event-types.ts';
import { startKinesalite, type LocalKinesis } from '../../src/lakehouse/stream/start-kinesalite.ts';
import { describeStreamIdentity } from '../../src/lakehouse/stream/stream-identity.ts';
import { freePort } from '../support/free-port.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const STREAM = 'ecommerce-events';
const QUERYABLE_WITHIN_MS = 5_000;

interface RunningServer {
  readonly url: string;
  /** The child's Kinesis endpoint (its own kinesalite, or the external one). */
  readonly kinesis: string;
  readonly lines: string[];
  /** ms from spawn to the HTTP server listening with streaming started. */
  readonly startedMs: number;
  /** SIGTERM to the process group; resolves once npm has exited. */
  stop(): Promise<void>;
}


async function startServer(lakeDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const spawned = Date.now();
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: REPO,
    detached: true, // its own process group: a signal reaches npm, tsx and node alike, as Ctrl-C does
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, LAKEHOUSE_DIR: lakeDir, PORT: String(port), CUBEJS_PG_SQL_PORT: 'false', CUBEJS_DEV_MODE: 'true',
      CUBEJS_LOG_LEVEL: 'info', LAKEHOUSE_STREAM_RATE: '0', KINESIS_ENDPOINT: '', KINESIS_INITIAL_POSITION: '', ...env,
    },
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop()!;
      lines.push(...parts);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let kinesis: string | undefined;
  const deadline = Date.now() + 90_000;
  while (!kinesis || !lines.some((l) => l.includes('"msg":"server started"'))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not start:\n${lines.join('\n')}`);
    kinesis ??= lines.map((l) => /^Streaming: Kinesis \(kinesalite\) at (\S+),/.exec(l)?.[1]).find(Boolean);
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    kinesis: env.KINESIS_ENDPOINT || kinesis,
    lines,
    startedMs: Date.now() - spawned,
    async stop() {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
      // npm dies of the signal at once; the server (node, under tsx) shuts down on its own.
      const deadline = Date.now() + 20_000;
      while (!lines.some((l) => l.includes('"msg":"shutting down"')) || groupAlive(child.pid!)) {
        if (Date.now() > deadline) throw new Error('the server did not shut down within 20 s of SIGTERM');
        await sleep(50);
      }
    },
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A new visitor's page views, all carrying one campaign tag: REST counts them under that campaign. */
function taggedVisit(tag: string, n: number): StreamEvent[] {
  const anonymous = randomUUID();
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    event_id: randomUUID(), event_type: 'page_view', event_time: new Date(now - (n - i) * 10).toISOString(),
    session_id: `restart-${anonymous}`, anonymous_id: anonymous, customer_id: null, device: 'desktop', channel: 'site',
    utm_source: 'restart-test', utm_medium: 'email', utm_campaign: tag, product_id: null, price: null, quantity: null, order_id: null,
  }) as StreamEvent);
}

async function campaignEvents(url: string, tag: string): Promise<number> {
  const query = { measures: ['eventos.eventos'], filters: [{ member: 'eventos.utm_campaign', operator: 'equals', values: [tag] }], renewQuery: true };
  for (;;) {
    const res = await fetch(`${url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { error?: string; data?: Record<string, unknown>[] };
    if (body.error === 'Continue wait') continue;
    if (res.status !== 200) throw new Error(`load ${res.status}: ${JSON.stringify(body)}`);
    return Number(body.data?.[0]?.['eventos.eventos'] ?? 0);
  }
}

/** Puts a tagged visit on the server's stream; resolves with the ms until REST counts all of it. */
async function produceAndTime(server: RunningServer, n = 20): Promise<number> {
  const client = createKinesisClient({ region: 'us-east-1', endpoint: server.kinesis });
  try {
    const tag = `restart-${randomUUID().slice(0, 8)}`;
    const sent = Date.now();
    const result = await new EventProducer({ client, streamName: STREAM }).send(taggedVisit(tag, n));
    expect(result.failed).toEqual([]);
    for (;;) {
      if ((await campaignEvents(server.url, tag)) === n) return Date.now() - sent;
      if (Date.now() - sent > 30_000) throw new Error(`the tagged events were not queryable 30 s after they were sent`);
      await sleep(50);
    }
  } finally {
    client.destroy();
  }
}

async function readyz(url: string): Promise<{ status: number; body: { health: string; error?: string } }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { health: string; error?: string } };
}

async function streamCreatedAt(endpoint: string): Promise<string> {
  const client = createKinesisClient({ region: 'us-east-1', endpoint });
  try {
    return (await describeStreamIdentity(client, STREAM)).createdAt;
  } finally {
    client.destroy();
  }
}

/** Error lines: pino records at level error or above, and any other line that says error. */
function errorLines(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    if (line.startsWith('{')) {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return true;
      }
    }
    return /error|exception|ECONNREFUSED/i.test(line);
  });
}

function warnLines(lines: readonly string[]): string[] {
  return lines.filter((line) => line.startsWith('{') && (JSON.parse(line) as { level?: number }).level === 40);
}

describe('npm start stopped and started again on the same data', () => {
  let dir: string;
  let lakeDir: string;
  const figures: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'npm-start-restarts-'));
    lakeDir = path.join(dir, 'data');
    await buildLakehouse({ paths: { dir: lakeDir }, scale: 0.002, seed: 5 });
  }, 300_000);

  afterAll(async () => {
    console.log('npm start restarts', figures);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves new events within 5 s after every start, keeps its stream, and logs no error', async () => {
    let created: string | undefined;
    for (let start = 1; start <= 3; start++) {
      const server = await startServer(lakeDir);
      try {
        const ms = await produceAndTime(server);
        figures.push({ start, listeningMs: server.startedMs, producedToQueryableMs: ms });
        expect(ms).toBeLessThan(QUERYABLE_WITHIN_MS);
        const at = await streamCreatedAt(server.kinesis);
        created ??= at;
        expect(at).toBe(created); // the stream survived the restart
        expect(await readyz(server.url)).toEqual({ status: 200, body: { health: 'HEALTH' } });
      } finally {
        await server.stop();
      }
      expect(server.lines.some((l) => l.includes('"msg":"shutting down"'))).toBe(true);
      expect(errorLines(server.lines)).toEqual([]);
      expect(warnLines(server.lines)).toEqual([]);
    }
  }, 300_000);

  it('starts a stream created again (its data folder gone) with one warning and no error', async () => {
    await rm(path.join(lakeDir, 'kinesis'), { recursive: true, force: true });
    const server = await startServer(lakeDir);
    try {
      const ms = await produceAndTime(server);
      figures.push({ start: 'recreated stream', listeningMs: server.startedMs, producedToQueryableMs: ms });
      expect(ms).toBeLessThan(QUERYABLE_WITHIN_MS);
      await sleep(2_000); // idle rounds: the warning must not come back
    } finally {
      await server.stop();
    }
    const warnings = warnLines(server.lines);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('created again');
    expect(errorLines(server.lines)).toEqual([]);
  }, 180_000);

  it('reports not ready while the consumer fails, and ready again once it reads', async () => {
    const port = await freePort();
    const kinesisDir = path.join(dir, 'external-kinesis');
    let external: LocalKinesis | undefined = await startKinesalite({ port, path: kinesisDir });
    const server = await startServer(lakeDir, { KINESIS_ENDPOINT: external.endpoint });
    try {
      expect(await produceAndTime(server)).toBeLessThan(QUERYABLE_WITHIN_MS);
      expect((await readyz(server.url)).status).toBe(200);

      await external.stop();
      external = undefined;
      const down = Date.now();
      let state = await readyz(server.url);
      while (state.status === 200 && Date.now() - down < 30_000) {
        await sleep(100);
        state = await readyz(server.url);
      }
      figures.push({ scenario: 'Kinesis down', notReadyAfterMs: Date.now() - down, readyz: state });
      expect(state.status).toBe(500);
      expect(state.body.health).toBe('DOWN');
      expect(state.body.error).toMatch(/^stream consumer failing: /);
      await sleep(3_000);
      expect((await readyz(server.url)).status).toBe(500); // still failing, still said

      external = await startKinesalite({ port, path: kinesisDir });
      const back = Date.now();
      while ((await readyz(server.url)).status !== 200 && Date.now() - back < 60_000) await sleep(100);
      figures.push({ scenario: 'Kinesis back', readyAfterMs: Date.now() - back });
      expect(await readyz(server.url)).toEqual({ status: 200, body: { health: 'HEALTH' } });
      expect(await produceAndTime(server)).toBeLessThan(QUERYABLE_WITHIN_MS);
    } finally {
      await server.stop();
      await external?.stop();
    }
    // The outage is logged, a few lines with backoff — not one line a second.
    const errors = errorLines(server.lines);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(6);
    expect(errors.every((l) => l.includes('stream consumer failed'))).toBe(true);
  }, 240_000);
});
