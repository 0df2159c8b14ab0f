/**
 * The same rows twice: as a cube (and a view over it) served by our SQL API, and as a plain table
 * of the same name and column types in a real Postgres. A statement sent to both over the `pg`
 * client must give the same column names, rows and SQLSTATE: Postgres is the oracle, never our
 * translator. The sale times sit around the current day (wall-clock timestamps), so `'today'`,
 * `current_date` and the session time zone change which rows a filter keeps.
 */
import pg from 'pg';
import { startStack, type Stack } from '../../support/stack.ts';
import { startTempPostgres, type TempPostgres } from '../../support/temp-postgres.ts';
import { BI_PASSWORD, BI_USER, connectBi, run, type Outcome } from './bi-sql-client.ts';

export interface TwinRow {
  readonly id: number;
  readonly nome: string | null;
  readonly ano: number | null;
  readonly valor: number;
  /** Wall-clock time, `YYYY-MM-DD HH:MM:SS`. */
  readonly vendidoEm: string;
  readonly pago: boolean | null;
}

/** Three sales a day (01:00, 12:00, 23:30) from three days before today (UTC) to three days after. */
export function twinRows(now = new Date()): TwinRow[] {
  const rows: TwinRow[] = [];
  const names = ['Ana', 'Bruno', null, 'Carla', 'Davi'];
  const times = ['01:00:00', '12:00:00', '23:30:00'];
  for (let day = -3; day <= 3; day++) {
    const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + day)).toISOString().slice(0, 10);
    for (const time of times) {
      const id = rows.length + 1;
      rows.push({ id, nome: names[id % names.length]!, ano: id % 6 === 0 ? null : 2023 + (id % 3), valor: 10 * id + (id % 4) * 0.25, vendidoEm: `${date} ${time}`, pago: id % 5 === 0 ? null : id % 2 === 0 });
    }
  }
  return rows;
}

const sqlValue = (v: string | number | boolean | null): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));

/** A cube `sales` over table `sales`, and a view `vendas` with every member of it. */
export const TWIN_MODEL = `
cubes:
  - name: sales
    sql_table: main.sales
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: nome, sql: nome, type: string }
      - { name: ano, sql: ano, type: number }
      - { name: vendido_em, sql: vendido_em, type: time }
      - { name: pago, sql: pago, type: boolean }
    measures:
      - { name: count, type: count }
      - { name: total, sql: valor, type: sum }
views:
  - name: vendas
    cubes:
      - join_path: sales
        includes: "*"
`;

export interface PostgresTwin {
  readonly stack: Stack;
  readonly oracle: TempPostgres;
  readonly rows: readonly TwinRow[];
  /** A `pg` client of our SQL API (values as the server's text), user `bi`, database `db`. */
  ours(): Promise<pg.Client>;
  /** A `pg` client of the real Postgres (values as the server's text). */
  real(): Promise<pg.Client>;
  close(): Promise<void>;
}

export async function startPostgresTwin(prefix: string): Promise<PostgresTwin> {
  const rows = twinRows();
  const duckValues = rows.map((r) => `(${[r.id, r.nome, r.ano, r.valor, r.vendidoEm, r.pago].map(sqlValue).join(', ')})`);
  const stack = await startStack({
    data: { sql: `CREATE TABLE main.sales (id INTEGER, nome VARCHAR, ano INTEGER, valor DECIMAL(12,2), vendido_em TIMESTAMP, pago BOOLEAN);\nINSERT INTO main.sales VALUES ${duckValues.join(',\n')};` },
    model: { files: { 'sales.yml': TWIN_MODEL } },
    serve: { sql: { users: { [BI_USER]: { password: BI_PASSWORD, securityContext: {} } }, onInternalError: () => {} } },
  });
  const oracle = await startTempPostgres({ prefix });
  const clients: pg.Client[] = [];
  const real = async (): Promise<pg.Client> => {
    const client = new pg.Client({ host: oracle.socketDir, port: oracle.port, user: oracle.superuser, database: 'postgres', types: { getTypeParser: () => (v: string) => v } });
    await client.connect();
    clients.push(client);
    return client;
  };
  // The column types our catalog declares: numbers float8, count int8, times timestamp.
  const setup = await real();
  const pgValues = rows.map((r) => `(${[r.id, r.nome, r.ano, r.vendidoEm, r.pago, 1, r.valor].map(sqlValue).join(', ')})`);
  await setup.query(`CREATE TABLE vendas (id float8, nome text, ano float8, vendido_em timestamp, pago boolean, count int8, total float8);
    INSERT INTO vendas VALUES ${pgValues.join(',\n')};
    CREATE TABLE sales AS SELECT * FROM vendas;
    CREATE FUNCTION measure_step(anyelement, anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE AS 'SELECT $2';
    CREATE AGGREGATE measure(anyelement) (SFUNC = measure_step, STYPE = anyelement);`);
  return {
    stack,
    oracle,
    rows,
    async ours() {
      const client = await connectBi(stack.sqlPort);
      clients.push(client);
      return client;
    },
    real,
    async close() {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      oracle.stop();
      await stack.close();
    },
  };
}

/** The same statements (the last one's outcome is compared) on both sides. */
export async function onBoth(ours: pg.Client, real: pg.Client, statements: readonly string[]): Promise<{ ours: Outcome; real: Outcome }> {
  let a: Outcome | undefined;
  let b: Outcome | undefined;
  for (const text of statements) {
    a = await run(ours, text);
    b = await run(real, text);
  }
  return { ours: a!, real: b! };
}
