/**
 * What the SQL API sandbox's own process costs a statement: residual evaluations (a GROUP BY over
 * a scan table of 20 and of 10,000 rows) through the sandbox of the checkout given, so two
 * checkouts can be run back to back on one machine (e.g. the commit before 2183a70, in-process,
 * and this one). Usage: npx tsx bench/support/sandbox-process-cost.ts <checkout root> [--reps 100]
 */
import { performance } from 'node:perf_hooks';

const root = process.argv[2];
if (!root) throw new Error('usage: sandbox-process-cost.ts <checkout root> [--reps N]');
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 100;
const { createResidualSandbox } = (await import(`${root}/server/src/api/sql/sandbox/residual-sandbox.ts`)) as typeof import('../../server/src/api/sql/sandbox/residual-sandbox.ts');
const sandbox = await createResidualSandbox({ timeoutMs: 30_000, memoryLimit: '512MB', maxConcurrent: 2 });
const table = (rows: number) => ({
  name: '__scan_0',
  rowCount: rows,
  columns: [
    { name: 'canal', type: 'VARCHAR' as const, values: Array.from({ length: rows }, (_, i) => `canal ${i % 7}`) },
    { name: 'dia', type: 'TIMESTAMP' as const, values: Array.from({ length: rows }, (_, i) => new Date(Date.UTC(2025, 0, 1 + (i % 365))).toISOString().slice(0, 23)) },
    { name: 'total', type: 'DOUBLE' as const, values: Array.from({ length: rows }, (_, i) => String(i * 1.5)) },
    { name: 'n', type: 'BIGINT' as const, values: Array.from({ length: rows }, (_, i) => i) },
  ],
});
const sql = 'SELECT canal, sum(total) * 2 AS dobro, count(*) AS n FROM __scan_0 GROUP BY 1 ORDER BY 1';
for (const rows of [20, 10_000]) {
  const tables = [table(rows)];
  for (let i = 0; i < 5; i++) await sandbox.evaluate({ tables, sql });
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await sandbox.evaluate({ tables, sql });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${root}: ${rows} rows: p50 ${times[Math.floor(reps / 2)]!.toFixed(2)} ms, p90 ${times[Math.floor(reps * 0.9)]!.toFixed(2)} ms`);
}
await sandbox.close();
process.exit(0);
