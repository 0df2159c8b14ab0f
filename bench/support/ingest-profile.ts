/**
 * Per-source ingest vs plain CTAS, wall and process CPU, alternating, on an existing landing folder;
 * both sides' totals include a final CHECKPOINT, as in lakehouse-bench.
 * Usage: npx tsx bench/support/ingest-profile.ts --landing data/bench-scale-1/landing [--reps 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runIngestion } from '../../server/src/lakehouse/ingest/run-ingestion.ts';
import { LANDING_SOURCES } from '../../server/src/lakehouse/datagen/landing-layout.ts';
import { plainCtasSql } from './plain-ctas.ts';

const args = new Map(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1] ?? ''] : ['', ''])));
const landingDir = path.resolve(args.get('landing') ?? 'data/bench-scale-1/landing');
const reps = Number(args.get('reps') ?? 3);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-profile-'));

const best = new Map<string, { wall: number; cpu: number }>();
function keep(key: string, wall: number, cpu: number) {
  const b = best.get(key);
  if (!b || wall < b.wall) best.set(key, { wall, cpu });
}
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function fresh(name: string): Promise<[DuckDBInstance, DuckDBConnection, string]> {
  const file = path.join(tmp, `${name}.duckdb`);
  fs.rmSync(file, { force: true });
  const instance = await DuckDBInstance.create(file);
  return [instance, await instance.connect(), file];
}

for (let rep = 0; rep < reps; rep++) {
  {
    const [instance, connection, file] = await fresh('ctas');
    let total = 0; let totalCpu = 0;
    for (const source of LANDING_SOURCES) {
      const t0 = performance.now(); const c0 = cpuNow();
      await connection.run(plainCtasSql(source, landingDir));
      const w = (performance.now() - t0) / 1000; const c = cpuNow() - c0;
      total += w; totalCpu += c;
      keep(`ctas ${source.table}`, w, c);
    }
    // As in lakehouse-bench: each side ends with its data in the database file, none left in the WAL.
    const t0 = performance.now(); const c0 = cpuNow();
    await connection.run('CHECKPOINT');
    keep('ctas checkpoint', (performance.now() - t0) / 1000, cpuNow() - c0);
    keep('ctas TOTAL', total + (performance.now() - t0) / 1000, totalCpu + cpuNow() - c0);
    connection.closeSync(); instance.closeSync(); fs.rmSync(file, { force: true });
  }
  {
    const [instance, connection, file] = await fresh('ingest');
    const marks: { source: string; at: number; cpu: number }[] = [];
    const t0 = performance.now(); const c0 = cpuNow();
    const result = await runIngestion(connection, { landingDir, rdsUrl: null, onProgress: (e) => marks.push({ source: e.source, at: performance.now(), cpu: cpuNow() }) });
    const committed = { at: performance.now(), cpu: cpuNow() };
    await connection.run('CHECKPOINT');
    keep('ingest commit (after the last source)', (committed.at - marks.at(-1)!.at) / 1000, committed.cpu - marks.at(-1)!.cpu);
    keep('ingest checkpoint', (performance.now() - committed.at) / 1000, cpuNow() - committed.cpu);
    keep('ingest TOTAL', (performance.now() - t0) / 1000, cpuNow() - c0);
    marks.slice(0, -1).forEach((mark, i) => keep(`ingest ${result.sources[i]!.table}`, (marks[i + 1]!.at - mark.at) / 1000, marks[i + 1]!.cpu - mark.cpu));
    keep('ingest before first source', (marks[0]!.at - t0) / 1000, marks[0]!.cpu - c0);
    connection.closeSync(); instance.closeSync(); fs.rmSync(file, { force: true });
  }
}
for (const [key, v] of [...best].sort()) console.log(`${key.padEnd(34)} wall ${v.wall.toFixed(3)} s  cpu ${v.cpu.toFixed(3)} s`);
fs.rmSync(tmp, { recursive: true, force: true });
