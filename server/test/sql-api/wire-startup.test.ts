/**
 * Startup-phase edge cases on a raw socket: GSSENCRequest is declined with 'N', an SSLRequest
 * is accepted with 'S' when a certificate is configured, unsupported protocol versions and a
 * missing user end with FATAL errors, and a broken length closes the connection without
 * disturbing the server.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { readErrorFields, splitBackendMessages } from '../../src/api/sql/wire/frontend-builders.ts';
import { startOrdersStack, type OrdersStack } from './support/orders-fixture.ts';

let f: OrdersStack;
beforeAll(async () => {
  f = await startOrdersStack({ rows: 20 });
}, 120_000);
afterAll(async () => f?.close());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(f.server.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function collect(s: Socket, until: (data: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    const done = () => resolve(data);
    s.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (until(data)) done();
    });
    s.once('close', done);
  });
}

function packet(code: number, body = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(8 + body.length, 0);
  b.writeInt32BE(code, 4);
  return Buffer.concat([b, body]);
}

describe('startup phase', () => {
  it("declines GSS encryption with 'N' and then accepts an SSL request with 'S'", async () => {
    const s = await open();
    const first = collect(s, (d) => d.length >= 1);
    s.write(packet(80877104));
    expect((await first).toString()).toBe('N');
    s.removeAllListeners('data');
    const second = collect(s, (d) => d.length >= 1);
    s.write(packet(80877103));
    expect((await second).toString()).toBe('S');
    s.destroy();
  });

  it('ends unsupported protocol versions and a missing user with FATAL errors', async () => {
    for (const [body, code] of [
      [packet(0x20000, Buffer.from('user\0admin\0\0')), '0A000'],
      [packet(196608, Buffer.from('database\0db\0\0')), '28000'],
    ] as const) {
      const s = await open();
      const reply = collect(s, () => false);
      s.write(body);
      const frames = splitBackendMessages(await reply);
      expect(frames[0]!.type).toBe('E');
      expect(readErrorFields(frames[0]!.body)).toMatchObject({ S: 'FATAL', C: code });
    }
  });

  it('closes a connection that sends a broken length and keeps serving others', async () => {
    const s = await open();
    const closed = collect(s, () => false);
    s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 3, 0, 0]));
    await closed;
    const c = new pg.Client({ host: '127.0.0.1', port: f.server.port, user: 'admin', password: 'admin_password', database: 'db' });
    await c.connect();
    expect((await c.query('select measure(count) as n from orders')).rows).toEqual([{ n: '20' }]);
    await c.end();
  });
});
