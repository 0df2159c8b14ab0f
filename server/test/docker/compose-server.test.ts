/**
 * `docker compose up` on a fresh volume, without a Docker engine (issue 11: the `server` service
 * named a DuckDB file that did not exist, so it exited, and the compose `postgres` and `kinesalite`
 * services were never used).
 *
 * The `server` service's command and environment are read from docker/docker-compose.yml and the
 * Dockerfile it builds (ENV, WORKDIR, ENTRYPOINT; COPY decides which files the "container" has),
 * and run as a child process in a folder standing in for the container, its `lakehouse-data` volume
 * a fresh empty directory. The two containers it depends on are replaced by local equivalents: a
 * real Postgres set up from the `postgres` service's POSTGRES_* variables, and the `kinesalite`
 * service's own command (its volume fresh too). Their host names in the server's environment point
 * at them, and the container ports (4000, 15432) become free ports of this machine, as the published
 * ports would. Then: the lakehouse is built on the empty volume, the RDS tables are loaded into and
 * read back from that Postgres (checked against SQL written by hand on it), REST, GraphQL and the SQL
 * API answer alike, and events put on the kinesalite stream become queryable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../src/lakehouse/stream/create-kinesis-client.ts';
import { EventProducer } from '../../src/lakehouse/stream/event-producer.ts';
import type { StreamEvent } from '../../src/lakehouse/stream/event-types.ts';
import { readComposeService, type ServiceProcess } from './support/compose-service.ts';
import { startComposePostgres, type ComposePostgres } from './support/compose-postgres.ts';
import { createContainerRoot, type ContainerRoot } from './support/container-root.ts';
import { ensurePlaygroundBundle, PLAYGROUND_DIST_DIR } from '../../src/api/playground/playground-bundle.ts';
import { freePort } from '../support/free-port.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const COMPOSE_FILE = path.join(REPO, 'docker', 'docker-compose.yml');
/** What `docker compose` reads from the shell, as docker/docker-compose.yml's header says to export. */
const VARIABLES = { CUBEJS_API_SECRET: randomBytes(32).toString('hex'), POSTGRES_PASSWORD: randomBytes(16).toString('hex') };
/** The build stages' outputs: the npm ci stage's is this checkout's node_modules, the playground stage's its built bundle. */
const STAGES = {
  deps: { '/app/node_modules': path.join(REPO, 'node_modules') },
  playground: { '/app/server/playground/dist': PLAYGROUND_DIST_DIR },
};
const STARTED_WITHIN_MS = 300_000;

interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}


/** Runs a service's argv in its container root; `node` is this Node.js, the environment only the container's. */
function runService(service: ServiceProcess, root: ContainerRoot, env: Record<string, string>, argv: readonly string[]): Child {
  const [command, ...args] = argv.map((a) => root.mapValue(a));
  const child = spawn(command === 'node' ? process.execPath : command!, args, {
    cwd: root.toHost(service.workdir),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root.dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      lines.push(...parts);
    });
    stream.on('end', () => rest && lines.push(rest));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, lines, exited };
}

/** Error lines: pino records at level error or above, and any other line that says error. */
function errorLines(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    if (!line.startsWith('{')) return /error|exception|ECONNREFUSED/i.test(line);
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return true;
    }
  });
}

let postgres: ComposePostgres | undefined;
let kinesalite: Child | undefined;
let server: Child | undefined;
let serverService: ServiceProcess;
let serverRoot: ContainerRoot;
let serverEnv: Record<string, string>;
let kinesisRoot: ContainerRoot;
let kinesisEndpoint: string;
let url: string;
let sqlPort: number;
let token: string;

beforeAll(async () => {
  // What the image's playground stage runs (`npm run build:playground`); a fresh bundle is reused.
  expect((await ensurePlaygroundBundle()).state).not.toBe('unavailable');
  serverService = readComposeService(COMPOSE_FILE, 'server', VARIABLES);
  const postgresService = readComposeService(COMPOSE_FILE, 'postgres', VARIABLES);
  const kinesisService = readComposeService(COMPOSE_FILE, 'kinesalite', VARIABLES);

  const pgPort = await freePort();
  postgres = await startComposePostgres(postgresService.env, pgPort);

  kinesisRoot = await createContainerRoot(kinesisService, STAGES);
  const kinesisPort = await freePort();
  const kinesisArgv = kinesisService.argv.map((a, i, all) => (all[i - 1] === '--port' ? String(kinesisPort) : a));
  kinesalite = runService(kinesisService, kinesisRoot, kinesisService.env, kinesisArgv);
  kinesisEndpoint = `http://127.0.0.1:${kinesisPort}`;

  // The containers' host names, as the compose network resolves them, and the published ports.
  const hosts: Record<string, string> = { 'postgres:5432': `127.0.0.1:${pgPort}`, 'kinesalite:4567': `127.0.0.1:${kinesisPort}` };
  const port = await freePort();
  sqlPort = await freePort();
  serverRoot = await createContainerRoot(serverService, STAGES);
  const env = Object.fromEntries(Object.entries(serverService.env).map(([k, v]) => [k, serverRoot.mapValue(v.replace(/\b(postgres|kinesalite):(\d+)\b/g, (m) => hosts[m] ?? m))]));
  serverEnv = { ...env, PORT: String(port), CUBEJS_PG_SQL_PORT: String(sqlPort) };
  server = runService(serverService, serverRoot, serverEnv, serverService.argv);
  url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + STARTED_WITHIN_MS;
  while (!server.lines.some((l) => l.includes('"msg":"server started"'))) {
    if (server.process.exitCode !== null || Date.now() > deadline) throw new Error(`the server service did not start (exit ${server.process.exitCode}):\n${server.lines.join('\n')}`);
    await sleep(200);
  }
  token = await new SignJWT({ sub: 'compose-test', groups: ['internal'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m')
    .sign(new TextEncoder().encode(VARIABLES.CUBEJS_API_SECRET));
}, STARTED_WITHIN_MS + 60_000);

afterAll(async () => {
  for (const child of [server, kinesalite]) {
    if (child && child.process.exitCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  }
  postgres?.stop();
  for (const root of [serverRoot, kinesisRoot]) if (root) await rm(root.dir, { recursive: true, force: true });
});

async function load(query: object, authorization: string | undefined = token): Promise<Record<string, unknown>[]> {
  for (;;) {
    const res = await fetch(`${url}/cubejs-api/v1/load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { error?: string; data?: Record<string, unknown>[] };
    if (body.error === 'Continue wait') continue;
    if (res.status !== 200) throw new Error(`load ${res.status}: ${JSON.stringify(body)}`);
    return body.data!;
  }
}

describe('the compose server service on a fresh volume', () => {
  it('runs the image entrypoint on the local lakehouse, with the compose postgres and kinesalite', () => {
    expect(serverService.argv).toEqual(['node', '--import', 'tsx', 'server/src/main.ts']);
    // A CUBEJS_DB_DUCKDB_DATABASE_PATH would name a file that a fresh volume lacks (and turn the build off).
    expect(serverService.env.CUBEJS_DB_DUCKDB_DATABASE_PATH).toBeUndefined();
    expect(serverService.env.LAKEHOUSE_DIR).toBe(serverService.volumes['lakehouse-data']);
    expect(serverService.env.LAKEHOUSE_RDS_URL).toMatch(/^postgres:\/\/lakehouse:[0-9a-f]{32}@postgres:5432\/ecommerce$/);
    expect(serverService.env.KINESIS_ENDPOINT).toBe('http://kinesalite:4567');
    expect(() => readComposeService(COMPOSE_FILE, 'server', {})).toThrow(/CUBEJS_API_SECRET is required/);
  });

  it('builds the lakehouse on the empty volume, with RDS loaded into and read from the compose Postgres', async () => {
    const data = serverRoot.toHost(serverService.volumes['lakehouse-data']!);
    expect(existsSync(path.join(data, 'lakehouse.duckdb'))).toBe(true);
    expect(existsSync(path.join(data, 'rds'))).toBe(false); // no PGlite standing in for RDS
    expect(existsSync(path.join(data, 'kinesis'))).toBe(false); // no in-process kinesalite
    const client = await postgres!.connect();
    let expected: Map<string, number>;
    try {
      const { rows } = await client.query<{ venda_id: string; n: string }>(`
        SELECT lower(trim(source_system)) || ':' || trim(order_id) || ':' || line_no AS venda_id, count(*) AS n
        FROM returns
        WHERE nullif(trim(return_id), '') IS NOT NULL AND lower(trim(source_system)) IN ('erp', 'pos')
          AND refunded_at IS NOT NULL AND quantity > 0
        GROUP BY 1`);
      expected = new Map(rows.map((r) => [r.venda_id, Number(r.n)]));
    } finally {
      await client.end();
    }
    expect(expected.size).toBeGreaterThan(0);
    // Refunds reach gold only through RDS ingestion: each sale line's refunds are the Postgres rows
    // for it (gold keeps those whose sale line exists, so every line it has must match exactly).
    const gold = await load({ measures: ['fato_devolucoes.count'], dimensions: ['fato_devolucoes.venda_id'], limit: 50_000 });
    expect(gold.length).toBeGreaterThan(0);
    for (const row of gold) {
      const venda = String(row['fato_devolucoes.venda_id']);
      expect(Number(row['fato_devolucoes.count']), venda).toBe(expected.get(venda));
    }
  });

  it('serves REST (token signed with the compose secret, or none in dev mode), GraphQL and the SQL API alike', async () => {
    const query = { measures: ['fato_vendas.count'], dimensions: ['dim_canal.nome'], order: { 'dim_canal.nome': 'asc' } };
    const rest = (await load(query)).map((r) => [r['dim_canal.nome'], Number(r['fato_vendas.count'])]);
    expect(rest.length).toBeGreaterThan(1);
    expect((await load(query, undefined)).map((r) => [r['dim_canal.nome'], Number(r['fato_vendas.count'])])).toEqual(rest);

    const graphqlRes = await fetch(`${url}/cubejs-api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ query: '{ cube(orderBy: { dim_canal: { nome: asc } }) { fato_vendas { count } dim_canal { nome } } }' }),
    });
    expect(graphqlRes.status).toBe(200);
    const graphql = (await graphqlRes.json()) as { data: { cube: { fato_vendas: { count: number }; dim_canal: { nome: string } }[] } };
    expect(graphql.data.cube.map((r) => [r.dim_canal.nome, Number(r.fato_vendas.count)])).toEqual(rest);

    const sql = new pg.Client({ host: '127.0.0.1', port: sqlPort, user: 'powerbi', password: 'any', database: 'db' });
    await sql.connect();
    try {
      const { rows } = await sql.query({ text: 'SELECT canal_nome, MEASURE(count) FROM vendas GROUP BY 1 ORDER BY 1', rowMode: 'array' });
      expect(rows.map((r: unknown[]) => [r[0], Number(r[1])])).toEqual(rest);
    } finally {
      await sql.end();
    }
  });

  it('streams through the compose kinesalite: events put on its stream become queryable', async () => {
    const client = createKinesisClient({ region: serverService.env.AWS_REGION!, endpoint: kinesisEndpoint });
    const streamName = serverService.env.KINESIS_STREAM_NAME!;
    try {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      expect(summary.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
      const tag = `compose-${randomUUID().slice(0, 8)}`;
      const anonymous = randomUUID();
      const events = Array.from({ length: 12 }, (_, i) => ({
        event_id: randomUUID(), event_type: 'page_view', event_time: new Date(Date.now() - (12 - i) * 10).toISOString(),
        session_id: `compose-${anonymous}`, anonymous_id: anonymous, customer_id: null, device: 'desktop', channel: 'site',
        utm_source: 'compose-test', utm_medium: 'email', utm_campaign: tag, product_id: null, price: null, quantity: null, order_id: null,
      }) as StreamEvent);
      const sent = await new EventProducer({ client, streamName }).send(events);
      expect(sent.failed).toEqual([]);
      const query = { measures: ['eventos.eventos'], filters: [{ member: 'eventos.utm_campaign', operator: 'equals', values: [tag] }], renewQuery: true };
      const deadline = Date.now() + 30_000;
      let counted = 0;
      while (counted !== events.length && Date.now() < deadline) {
        counted = Number((await load(query))[0]?.['eventos.eventos'] ?? 0);
        if (counted !== events.length) await sleep(200);
      }
      expect(counted).toBe(events.length);
    } finally {
      client.destroy();
    }
    // The kinesalite service keeps its streams on its volume (LevelDB), not in memory.
    expect(await readdir(kinesisRoot.toHost('/app/data/kinesis'))).toContain('CURRENT');
  });

  it("passes the image's health check, is ready, serves the playground and its metrics, and logged no error", async () => {
    const healthcheck = serverService.image!.healthcheck!;
    expect(healthcheck[0]).toBe('node');
    const check = runService(serverService, serverRoot, serverEnv, healthcheck);
    expect(await check.exited).toBe(0);
    const ready = await fetch(`${url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { health: 'HEALTH' }]);
    const playground = await fetch(`${url}/`);
    expect([playground.status, playground.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^text\/html/)]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^stream_ready 1$/m);
    expect(Number(/^stream_records_read_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(errorLines(server!.lines)).toEqual([]);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    server!.process.kill('SIGTERM');
    const code = await Promise.race([server!.exited, sleep(30_000).then(() => 'still running')]);
    expect(code, server!.lines.slice(-20).join('\n')).toBe(0);
  });
});
