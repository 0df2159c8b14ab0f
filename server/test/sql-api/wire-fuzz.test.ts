/**
 * Wire fuzzing over real sockets: random bytes, frames with wrong lengths or unknown types,
 * truncated and garbage Parse/Bind/Describe/Close/Execute/Query, huge declared lengths, before
 * and after login. The server must never answer XX000 (nor log an internal error), never buffer
 * more than one message of the maximum size, close sockets that do not log in within the auth
 * timeout, and keep answering ordinary clients correctly throughout. The server runs over the
 * real engine (buildStack on the gold star schema and the repository's model).
 */
import { mkdtemp } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import {
  buildBind,
  buildClose,
  buildDescribe,
  buildExecute,
  buildFlush,
  buildParse,
  buildQuery,
  buildSync,
  readDataRow,
  readErrorFields,
  type BackendFrame,
} from '../../src/api/sql/wire/frontend-builders.ts';
import { GOLD_EXTRA_FILES, queryDuckDb, serveSql, startStack, type Stack } from '../support/stack.ts';
import { INTERNAL_CONTEXT } from '../engine/gold-fixture.ts';
import { RawPgClient } from './support/raw-pg-client.ts';
import { makeCert } from '../support/make-cert.ts';

const MAX_MESSAGE = 64 * 1024;
const AUTH_TIMEOUT_MS = 800;
const MAX_PENDING_LOGINS = 40;
const CHECK_SQL = 'select measure(count) as n from vendas';
const VALID_TYPES = new Set('QPBFdCDEHSXcf'.split('').map((c) => c.charCodeAt(0)));
const USERS: Record<string, string> = { admin: 'admin_password', analyst: 's3cret' };
/** Fixed so CI runs are reproducible; set WIRE_FUZZ_SEED to explore other inputs. */
const SEED = Number(process.env.WIRE_FUZZ_SEED ?? 20251205);

let stack: Stack;
let duckdbPath: string;
let server: SqlServer;
/** The independent answer to CHECK_SQL: COUNT(*) over the gold sales lines. */
let expectedCount: string;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  stack = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES } });
  duckdbPath = stack.duckdbPath;
  const cert = await makeCert(await mkdtemp(path.join(os.tmpdir(), 'wire-fuzz-')));
  // `host` unset: the default (loopback only) is under test too.
  server = await serveSql(stack.engine, {
    host: undefined,
    tls: { cert: cert.cert, key: cert.key },
    // Every user is the internal team (group `internal`): the whole model is visible.
    users: Object.fromEntries(Object.entries(USERS).map(([user, password]) => [user, { password, securityContext: INTERNAL_CONTEXT }])),
    maxMessageBytes: MAX_MESSAGE,
    authTimeoutMs: AUTH_TIMEOUT_MS,
    maxPendingLogins: MAX_PENDING_LOGINS,
    onInternalError: (e) => internalErrors.push(e),
  });
  expectedCount = String((await hand('select count(*) as n from gold.fato_vendas'))[0]!.n);
}, 300_000);

afterAll(async () => {
  await server?.close();
  await stack?.close();
});

const hand = (sql: string) => queryDuckDb(duckdbPath, sql);

// ---------------------------------------------------------------- helpers

function frame(type: number, body: Buffer, length = 4 + body.length): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeInt32BE(length, 1);
  return Buffer.concat([h, body]);
}

function startupPacket(params: Record<string, string>): Buffer {
  const body = Buffer.from(`${Object.entries(params).map(([k, v]) => `${k}\0${v}\0`).join('')}\0`);
  const b = Buffer.alloc(8);
  b.writeInt32BE(8 + body.length, 0);
  b.writeInt32BE(196608, 4);
  return Buffer.concat([b, body]);
}

const ADMIN_STARTUP = startupPacket({ user: 'admin', database: 'db' });

/** Backend frames in `data`, leniently: stops at the first incomplete or impossible header. */
function parseFrames(data: Buffer): BackendFrame[] {
  const out: BackendFrame[] = [];
  let o = 0;
  while (o + 5 <= data.length) {
    const len = data.readInt32BE(o + 1);
    if (len < 4 || o + 1 + len > data.length) break;
    const raw = data.subarray(o, o + 1 + len);
    out.push({ type: String.fromCharCode(data[o]!), body: raw.subarray(5), raw });
    o += 1 + len;
  }
  return out;
}

const errorsIn = (frames: readonly BackendFrame[]) => frames.filter((fr) => fr.type === 'E').map((fr) => readErrorFields(fr.body));

interface RawExchange {
  readonly frames: BackendFrame[];
  readonly closed: boolean;
  readonly ms: number;
  /** The answer was a TLS handshake ('S'): the rest is not Postgres frames. */
  readonly tls: boolean;
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `parts` on a fresh socket and collects the answer until the server closes it or `waitMs` passes. */
async function rawExchange(parts: readonly Buffer[], waitMs: number): Promise<RawExchange> {
  const started = Date.now();
  const s = await open();
  s.on('error', () => {});
  let data = Buffer.alloc(0);
  s.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
  });
  const closed = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), waitMs);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  for (const p of parts) if (!s.destroyed) s.write(p);
  const wasClosed = await closed;
  const ms = Date.now() - started;
  s.destroy();
  const sent = Buffer.concat(parts);
  const negotiation = sent.length >= 8 && [80877103, 80877104].includes(sent.readInt32BE(4));
  if (negotiation && (data[0] === 0x53 || data[0] === 0x4e)) {
    return { frames: data[0] === 0x53 ? [] : parseFrames(data.subarray(1)), closed: wasClosed, ms, tls: data[0] === 0x53 };
  }
  return { frames: parseFrames(data), closed: wasClosed, ms, tls: false };
}

async function login(): Promise<RawPgClient> {
  return RawPgClient.connect(server.port, 'admin', 'admin_password');
}

/** True once CHECK_SQL's row and the ReadyForQuery after it have arrived. */
function answered(frames: readonly BackendFrame[]): boolean {
  const row = frames.findIndex((fr) => fr.type === 'D' && readDataRow(fr.body)[0]?.toString() === expectedCount);
  return row >= 0 && frames.slice(row).some((fr) => fr.type === 'Z');
}

function expectNoInternalError(frames: readonly BackendFrame[], what: unknown): void {
  for (const e of errorsIn(frames)) expect(e.C, `${JSON.stringify(e)} for ${String(what)}`).not.toBe('XX000');
}

async function checkWithPg(): Promise<number> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'analyst', password: 's3cret', database: 'db' });
  const started = performance.now();
  await c.connect();
  try {
    const { rows } = await c.query(CHECK_SQL);
    expect(rows).toEqual([{ n: expectedCount }]);
  } finally {
    await c.end();
  }
  return performance.now() - started;
}

const hex = (b: Buffer): string => b.toString('hex').slice(0, 120);

// ---------------------------------------------------------------- generators

/** Valid frames of each extended/simple message, to truncate or re-length. */
const VALID_FRAMES: Record<string, Buffer> = {
  P: buildParse('s1', 'select measure(count) as n from vendas where canal_nome = $1', [25]),
  B: buildBind('p1', 's1', [Buffer.from('paid'), null], [0, 0], [1]),
  D: buildDescribe('S', 's1'),
  C: buildClose('P', 'p1'),
  E: buildExecute('p1', 5),
  Q: buildQuery(CHECK_SQL),
};

/** What happens before login: random bytes, startup packets with wrong lengths or layouts, bad password messages. */
const beforeLogin: fc.Arbitrary<Buffer[]> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => [Buffer.from(b)]),
  fc.record({ length: fc.integer(), body: fc.uint8Array({ maxLength: 200 }) }).map(({ length, body }) => {
    const h = Buffer.alloc(4);
    h.writeInt32BE(length);
    return [Buffer.concat([h, Buffer.from(body)])];
  }),
  fc.record({ cut: fc.nat(), delta: fc.integer({ min: -12, max: 12 }) }).map(({ cut, delta }) => {
    const p = Buffer.from(ADMIN_STARTUP.subarray(0, 4 + (cut % (ADMIN_STARTUP.length - 3))));
    p.writeInt32BE(ADMIN_STARTUP.length + delta, 0);
    return [p];
  }),
  fc.record({ type: fc.integer({ min: 0, max: 255 }), body: fc.uint8Array({ maxLength: 120 }), delta: fc.integer({ min: -5, max: 5 }) }).map(({ type, body, delta }) => [
    ADMIN_STARTUP,
    frame(type, Buffer.from(body), 4 + body.length + delta),
  ]),
  fc.nat().map((cut) => {
    // A SASLInitialResponse cut short, its length word fixed to match.
    const first = Buffer.from('n,,n=*,r=abcdefghijklmnop');
    const len = Buffer.alloc(4);
    len.writeInt32BE(first.length);
    const body = Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), len, first]);
    return [ADMIN_STARTUP, frame(0x70, body.subarray(0, cut % body.length))];
  }),
);

type AfterLoginCase = { readonly kind: 'alive' | 'closed' | 'any'; readonly bytes: Buffer };

/** What happens after login, with what Postgres would do: carry on (malformed body), close (bad header), or either. */
const afterLogin: fc.Arbitrary<AfterLoginCase> = fc.oneof(
  fc.record({ type: fc.constantFrom(...Object.keys(VALID_FRAMES)), cut: fc.nat() }).map(({ type, cut }) => {
    const full = VALID_FRAMES[type]!;
    const body = full.subarray(5, 5 + (cut % (full.length - 5)));
    return { kind: 'alive' as const, bytes: frame(type.charCodeAt(0), body) };
  }),
  fc.record({ type: fc.constantFrom(...'PBDCEQSHFdcf'.split('')), body: fc.uint8Array({ maxLength: 80 }) }).map(({ type, body }) => ({
    kind: 'alive' as const,
    bytes: frame(type.charCodeAt(0), Buffer.from(body)),
  })),
  fc
    .record({
      type: fc.constantFrom(...Object.keys(VALID_FRAMES)),
      length: fc.oneof(fc.integer({ min: -(2 ** 31), max: 3 }), fc.integer({ min: MAX_MESSAGE + 1, max: 2 ** 31 - 1 })),
    })
    .map(({ type, length }) => ({ kind: 'closed' as const, bytes: frame(type.charCodeAt(0), VALID_FRAMES[type]!.subarray(5), length) })),
  fc
    .record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => !VALID_TYPES.has(t)), body: fc.uint8Array({ maxLength: 40 }) })
    .map(({ type, body }) => ({ kind: 'closed' as const, bytes: frame(type, Buffer.from(body)) })),
  fc.record({ type: fc.constantFrom(...Object.keys(VALID_FRAMES)), delta: fc.integer({ min: -20, max: 40 }) }).map(({ type, delta }) => {
    const full = VALID_FRAMES[type]!;
    return { kind: 'any' as const, bytes: frame(type.charCodeAt(0), full.subarray(5), Math.max(4, full.length - 1 + delta)) };
  }),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({ kind: 'any' as const, bytes: Buffer.from(b) })),
  fc
    .record({
      where: fc.constantFrom('preco_unitario > $1', 'data_venda >= $1', 'canal_nome = $1', 'is_cancelado = $1', 'ano = $1'),
      oid: fc.constantFrom(0, 16, 20, 21, 23, 25, 700, 701, 1082, 1114, 1184, 1700),
      format: fc.constantFrom(0, 1),
      value: fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.constantFrom('1', '2025-11-01', 'Loja física', 'true', 'NaN', '-Infinity', '1e400', '').map((v) => new Uint8Array(Buffer.from(v)))),
    })
    .map(({ where, oid, format, value }) => ({
      // A real statement bound to random bytes of a declared type: refused with 22xxx or answered.
      kind: 'alive' as const,
      bytes: Buffer.concat([buildParse('', `select measure(count) as n from vendas where ${where}`, [oid]), buildBind('', '', [Buffer.from(value)], [format]), buildExecute('')]),
    })),
);

/** How the after-login cases ended, by SQLSTATE: shows the generators reach each path. */
const afterLoginOutcomes = new Map<string, number>();

/**
 * Sends one case after login, then Sync and CHECK_SQL; reads until the answer, a close, or a
 * while: a case that must be answered gets 6 s (a loaded machine is slow, not wrong); one that may
 * leave the server waiting for the rest of a frame, 1.5 s.
 */
async function runAfterLogin(c: AfterLoginCase): Promise<void> {
  const client = await login();
  try {
    client.send(c.bytes, buildSync(), buildQuery(CHECK_SQL));
    const { frames, closed } = await client.readUntil(answered, c.kind === 'alive' ? 6000 : 1500);
    const outcome = `${answered(frames) ? 'answered' : closed ? 'closed' : 'silent'}:${errorsIn(frames).map((e) => `${e.S} ${e.C}`).join(',')}`;
    afterLoginOutcomes.set(outcome, (afterLoginOutcomes.get(outcome) ?? 0) + 1);
    const label = `${c.kind} ${hex(c.bytes)}`;
    expectNoInternalError(frames, label);
    if (c.kind === 'alive') expect(answered(frames), label).toBe(true);
    if (c.kind === 'closed') {
      expect(closed, label).toBe(true);
      const last = errorsIn(frames).at(-1);
      expect(last?.S, label).toBe('FATAL');
      expect(['08P01', '54000'], label).toContain(last?.C);
    }
  } finally {
    client.destroy();
  }
}

// ---------------------------------------------------------------- tests

describe('wire fuzzing', () => {
  it('listens on 127.0.0.1 when no host is configured, not on the machine\'s other addresses', async () => {
    expect(server.host).toBe('127.0.0.1');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) return;
    const refused = await new Promise<string>((resolve) => {
      const s = connect(server.port, external.address, () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('closes every socket fed garbage before login, with no internal error, within the auth timeout', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(beforeLogin, { minLength: 12, maxLength: 24 }), async (cases) => {
        const results = await Promise.all(cases.map((parts) => rawExchange(parts, AUTH_TIMEOUT_MS + 2000)));
        results.forEach((r, i) => {
          const label = cases[i]!.map(hex).join(' | ');
          expect(r.closed, label).toBe(true);
          expectNoInternalError(r.frames, label);
          for (const e of errorsIn(r.frames)) expect(e.S, label).toBe('FATAL');
        });
      }),
      { numRuns: 5, seed: SEED },
    );
    expect(internalErrors).toEqual([]);
  });

  it('answers malformed frames after login as Postgres does: ERROR and carry on, or FATAL and close on a bad header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(afterLogin, { minLength: 10, maxLength: 16 }), async (cases) => {
        await Promise.all(cases.map(runAfterLogin));
      }),
      { numRuns: 12, seed: SEED },
    );
    const outcomes = [...afterLoginOutcomes.keys()];
    expect(outcomes).toContain('answered:ERROR 08P01');
    expect(outcomes).toContain('answered:ERROR 22P03');
    expect(outcomes).toContain('closed:FATAL 08P01');
    expect(outcomes).toContain('closed:FATAL 54000');
    expect(internalErrors).toEqual([]);
  }, 240_000);

  it('names what was wrong in a truncated Bind, Describe, Close and Execute with 08P01, and the session goes on', async () => {
    const client = await login();
    try {
      const cases: [Buffer, RegExp][] = [
        [frame(0x42, Buffer.from('p1\0s1\0\0')), /insufficient data left in Bind message/],
        [frame(0x44, Buffer.from('Q')), /invalid Describe message subtype "Q"/],
        [frame(0x43, Buffer.from('S')), /invalid string in Close message/],
        [frame(0x45, Buffer.from('p1\0\0\0')), /insufficient data left in Execute message/],
        [frame(0x50, Buffer.from('s\0select 1\0\0\x05')), /insufficient data left in Parse message/],
      ];
      for (const [bytes, message] of cases) {
        client.send(bytes, buildSync());
        const frames = await client.readUntilReady();
        const errors = errorsIn(frames);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({ S: 'ERROR', C: '08P01' });
        expect(errors[0]!.M).toMatch(message);
      }
      client.send(buildQuery(CHECK_SQL));
      expect(answered(await client.readUntilReady())).toBe(true);
    } finally {
      client.close();
    }
  });

  it('refuses huge declared lengths from the header and closes, without buffering the rest', async () => {
    const before = server.wireStats().peakBufferedBytes;
    const rssBefore = process.memoryUsage().rss;
    // 20 sockets declare a 256 MB startup packet and stream 256 KB of it; a pg client is served meanwhile.
    const startupHeader = Buffer.from([0x0f, 0xff, 0xff, 0xff]);
    const junk = Buffer.alloc(256 * 1024, 0x41);
    const [results, pgMs] = await Promise.all([Promise.all(Array.from({ length: 20 }, () => rawExchange([startupHeader, junk], 3000))), checkWithPg()]);
    for (const r of results) {
      expect(r.closed).toBe(true);
      expect(errorsIn(r.frames)).toEqual([expect.objectContaining({ S: 'FATAL', C: '08P01', M: expect.stringMatching(/invalid length of startup packet/) })]);
      expect(r.ms).toBeLessThan(2000);
    }
    expect(pgMs).toBeLessThan(3000);
    // Before login the framer holds at most one startup packet's worth (10 000 bytes).
    expect(server.wireStats().peakBufferedBytes).toBeLessThanOrEqual(Math.max(before, 10_000));
    // After login: a Query of 0x0FFFFFFF bytes, a Bind one byte over the maximum, a Sync of 20 000 bytes.
    for (const [bytes, code, message] of [
      [Buffer.concat([frame(0x51, Buffer.alloc(0), 0x0fffffff), junk]), '54000', /'Q' declares 268435455 bytes, over the server's maximum message size of 65536/],
      [frame(0x42, Buffer.alloc(0), MAX_MESSAGE + 1), '54000', /'B' declares 65537 bytes/],
      [frame(0x53, Buffer.alloc(0), 20_000), '08P01', /invalid message length 20000 for message type 'S'/],
    ] as const) {
      const client = await login();
      client.send(bytes);
      const { frames, closed } = await client.readUntil(() => false, 2000);
      expect(closed).toBe(true);
      expect(errorsIn(frames)).toEqual([expect.objectContaining({ S: 'FATAL', C: code, M: expect.stringMatching(message) })]);
      client.destroy();
    }
    const peak = server.wireStats().peakBufferedBytes;
    expect(peak).toBeLessThanOrEqual(MAX_MESSAGE + 1);
    console.log(`[wire-fuzz] huge lengths: framer peak ${peak} B, rss delta ${((process.memoryUsage().rss - rssBefore) / 1e6).toFixed(1)} MB (test process, clients included)`);
  });

  it('reads a flood of pipelined maximum-size queries no faster than it answers them, never holding more than one', async () => {
    const client = await login();
    try {
      const head = `${CHECK_SQL} /* `;
      const sql = `${head}${'x'.repeat(MAX_MESSAGE + 1 - 5 - head.length - 3 - 1)} */`;
      const query = buildQuery(sql);
      expect(query.length).toBe(MAX_MESSAGE + 1);
      const count = 40;
      client.send(...Array.from({ length: count }, () => query));
      let rows = 0;
      for (let i = 0; i < count; i++) if (answered(await client.readUntilReady())) rows++;
      expect(rows).toBe(count);
      const peak = server.wireStats().peakBufferedBytes;
      expect(peak).toBeGreaterThanOrEqual(MAX_MESSAGE);
      expect(peak).toBeLessThanOrEqual(MAX_MESSAGE + 1);
    } finally {
      client.close();
    }
  });

  it('closes sockets that do not finish logging in within the auth timeout, with 08P01 where the protocol allows', async () => {
    const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    const cases: [string, Buffer[], boolean][] = [
      ['silent', [], true],
      ['half a startup packet', [ADMIN_STARTUP.subarray(0, 10)], true],
      ['startup, no password', [ADMIN_STARTUP], true],
      ['SSLRequest, no handshake', [sslRequest], false],
    ];
    const results = await Promise.all(cases.map(([, parts]) => rawExchange(parts, AUTH_TIMEOUT_MS + 3000)));
    results.forEach((r, i) => {
      const [name, , hasError] = cases[i]!;
      expect(r.closed, name).toBe(true);
      expect(r.ms, name).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 50);
      expect(r.ms, name).toBeLessThan(AUTH_TIMEOUT_MS + 2000);
      if (hasError) expect(errorsIn(r.frames), name).toEqual([expect.objectContaining({ S: 'FATAL', C: '08P01', M: expect.stringMatching(/canceling authentication due to timeout/) })]);
      else expect(r.tls, name).toBe(true);
    });
    // A logged-in session is not subject to the auth timeout.
    const client = await login();
    await new Promise((resolve) => setTimeout(resolve, AUTH_TIMEOUT_MS + 300));
    client.send(buildQuery(CHECK_SQL));
    expect(answered(await client.readUntilReady())).toBe(true);
    client.close();
  });

  it('turns away sockets over the limit of pending logins with 53300, and serves again once they go', async () => {
    await waitFor(() => server.wireStats().pendingLogins === 0);
    const idle = await Promise.all(Array.from({ length: MAX_PENDING_LOGINS }, open));
    await waitFor(() => server.wireStats().pendingLogins === MAX_PENDING_LOGINS);
    const refused = await rawExchange([ADMIN_STARTUP], 2000);
    expect(refused.closed).toBe(true);
    expect(errorsIn(refused.frames)).toEqual([expect.objectContaining({ S: 'FATAL', C: '53300' })]);
    for (const s of idle) s.destroy();
    await waitFor(() => server.wireStats().pendingLogins === 0);
    await checkWithPg();
  });

  it('still answers a normal pg client correctly and quickly after all of it', async () => {
    const ms = await checkWithPg();
    expect(ms).toBeLessThan(2000);
    const [{ nome }] = (await hand('select min(nome) as nome from gold.dim_canal')) as [{ nome: string }];
    const [{ n }] = await hand(`select count(*) as n from gold.fato_vendas f join gold.dim_canal c on c.canal_sk = f.canal_sk where c.nome = '${nome.replaceAll("'", "''")}'`);
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'admin', password: 'admin_password', database: 'db' });
    await c.connect();
    const { rows } = await c.query('select canal_nome, measure(count) as n from vendas where canal_nome = $1 group by 1', [nome]);
    expect(rows).toEqual([{ canal_nome: nome, n: String(n) }]);
    await c.end();
    expect(internalErrors).toEqual([]);
    expect(server.wireStats().peakBufferedBytes).toBeLessThanOrEqual(MAX_MESSAGE + 1);
    console.log(`[wire-fuzz] final pg round trip ${ms.toFixed(0)} ms; framer peak ${server.wireStats().peakBufferedBytes} B (max message ${MAX_MESSAGE} B)`);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
