/**
 * "Restarts are normal": a build stopped while it generates its sample sources (SIGKILL of a real
 * `cli build` process at a given step, or a failing RDS) is finished by the next build, which ends
 * with exactly the tables a clean build of the same seed has; user-landed files are never replaced.
 * Expected values: counts and sums per table from a clean build in another folder.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLakehouse, ensureLocalLakehouse } from '../../src/lakehouse/build-lakehouse.ts';
import type { LakehousePaths } from '../../src/lakehouse/lakehouse-paths.ts';
import { openLakehouse } from '../../src/lakehouse/open-lakehouse.ts';
import { runQualityChecks } from '../../src/lakehouse/quality/run-quality-checks.ts';
import { needsSampleGeneration } from '../../src/lakehouse/sample-generation.ts';
import { REPO_ROOT, cliEnv, runCliProcess } from '../cli/run-cli-process.ts';
import { tableTotals, tempLakehouses } from './support/generated-lakehouses.ts';

const SCALE = '0.01';
const SEED = '7';
const lakehouses = tempLakehouses('lakehouse-restart-');
const tempPaths = (): LakehousePaths => lakehouses.paths();

const cliArgs = (paths: LakehousePaths) => ['build', '--scale', SCALE, '--seed', SEED, '--lakehouse-dir', paths.dir];

/** Starts `cli build` and SIGKILLs it as soon as its progress shows `step` (then it is inside that step). */
function killBuildAt(paths: LakehousePaths, step: string): Promise<string> {
  const tsx = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const cli = path.join(REPO_ROOT, 'server/src/cli/index.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, cli, ...cliArgs(paths)], { cwd: REPO_ROOT, env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes(step)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(stderr) : reject(new Error(`build ended before ${step}: ${stderr}`))));
  });
}

let clean: string[][];

beforeAll(async () => {
  const paths = tempPaths();
  const run = await runCliProcess(cliArgs(paths));
  expect(run.code, run.stderr).toBe(0);
  clean = await tableTotals(paths.duckdbPath);
  // The reference must itself hold returns and sales, or the comparisons below prove nothing.
  expect(clean.every(([, rows]) => Number(rows) > 0)).toBe(true);
}, 180_000);

afterAll(() => {
  lakehouses.removeAll();
});

describe('a build interrupted while generating is finished by the next one', () => {
  it.each([
    ['while it loads RDS', 'generate: rds tables'],
    ['while it writes landing files (erp written, pos not)', 'generate: files erp/order_lines'],
  ])('killed %s', async (_label, step) => {
    const paths = tempPaths();
    await killBuildAt(paths, step);
    expect(fs.existsSync(path.join(paths.landingDir, 'erp'))).toBe(true);
    // The restart: `npm start`'s build.
    const report = await ensureLocalLakehouse({ paths: { dir: paths.dir }, scale: Number(SCALE), seed: Number(SEED) });
    expect(report.built).toBe(true);
    expect(await tableTotals(paths.duckdbPath)).toEqual(clean);
    expect(fs.readdirSync(paths.landingDir).filter((e) => e.startsWith('.generating-'))).toEqual([]);
  }, 180_000);

  it('a build whose RDS is unreachable is redone with the right RDS', async () => {
    const paths = tempPaths();
    await expect(buildLakehouse({ paths: { dir: paths.dir, rdsUrl: 'postgres://qa:qa@127.0.0.1:1/db' }, scale: Number(SCALE), seed: Number(SEED) }))
      .rejects.toThrow(/Cannot connect to the RDS source/);
    await ensureLocalLakehouse({ paths: { dir: paths.dir }, scale: Number(SCALE), seed: Number(SEED) });
    expect(await tableTotals(paths.duckdbPath)).toEqual(clean);
  }, 180_000);
});

describe('what the next build leaves alone or refuses', () => {
  it('files a user landed (no generation marker) are never regenerated over', () => {
    const paths = tempPaths();
    const own = path.join(paths.landingDir, 'erp/orders/dt=2026-01-01/orders_20260101.csv');
    fs.mkdirSync(path.dirname(own), { recursive: true });
    fs.writeFileSync(own, 'order_id\n');
    expect(needsSampleGeneration(paths)).toBe(false);
  });

  it('the gold checks fail, naming the table, when gold.fato_vendas is empty', async () => {
    const paths = tempPaths();
    await buildLakehouse({ paths: { dir: paths.dir }, scale: Number(SCALE), seed: Number(SEED) });
    const connection = await openLakehouse(paths.duckdbPath);
    try {
      await connection.run('DELETE FROM gold.fato_devolucoes; DELETE FROM gold.fato_vendas');
      await expect(runQualityChecks(connection, 'gold')).rejects.toThrow(/gold\.fato_vendas: has rows/);
    } finally {
      connection.closeSync();
    }
  }, 180_000);

  it('`cli check` fails, naming the tables, when the RDS rows the generator loaded never reached bronze', async () => {
    const paths = tempPaths();
    const lakehouse = ['--lakehouse-dir', paths.dir];
    expect((await runCliProcess(['generate', '--scale', SCALE, '--seed', SEED, ...lakehouse])).code).toBe(0);
    // Ingestion reads another (empty) database: the generated order_status and returns never land.
    const ingest = await runCliProcess(['ingest', ...lakehouse, '--rds', `pglite:${path.join(paths.dir, 'other-rds')}`]);
    expect(ingest.code, ingest.stderr).toBe(0);
    const run = await runCliProcess(['check', ...lakehouse]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bronze\.order_status is empty while the sample generator loaded \d+ rows/);
    expect(run.stderr).toMatch(/bronze\.returns is empty while the sample generator loaded \d+ rows/);
  }, 180_000);
});
