import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.ts';
import { createMetrics } from './create-metrics.ts';
import { locals, requestObserver } from './request-observer.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { chunks.push(chunk.toString()); done(); } });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function app() {
  const logs = capture();
  const logger = createLogger({ level: 'info', destination: logs.stream });
  const metrics = createMetrics();
  const server = express();
  server.use(requestObserver(logger, metrics));
  server.get('/items/:id', (_req, res) => {
    locals(res).log.info('handling');
    res.json({ ok: true });
  });
  return { server, logs, metrics };
}

describe('requestObserver', () => {
  it('logs JSON lines carrying the request id, from the handler and for the access log', async () => {
    const { server, logs } = app();
    const res = await request(server).get('/items/7').set('x-request-id', 'rid-1');
    expect(res.headers['x-request-id']).toBe('rid-1');
    const lines = logs.lines();
    expect(lines.find((l) => l.msg === 'handling')).toMatchObject({ requestId: 'rid-1', level: 30 });
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ requestId: 'rid-1', method: 'GET', route: '/items/:id', status: 200 });
  });

  it('makes up a request id when the client sends none', async () => {
    const { server } = app();
    const res = await request(server).get('/items/1');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts requests by route pattern, not by URL, and observes latency', async () => {
    const { server, metrics } = app();
    await request(server).get('/items/1');
    await request(server).get('/items/2');
    await request(server).get('/missing');
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/items/:id",status="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status="200"\} 2/);
  });
});
