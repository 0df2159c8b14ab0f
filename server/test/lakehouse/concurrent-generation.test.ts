/**
 * Two processes on one fresh lakehouse folder: the second build gets LAKEHOUSE_BUSY naming the
 * first while the first generates, and the first ends with what a clean build of the same seed
 * has (its embedded RDS intact). A process holding the embedded RDS makes others wait too.
 * Real `cli` processes; expected values from a clean build in another folder.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LakehousePaths } from '../../src/lakehouse/lakehouse-paths.ts';
import { openRdsClient } from '../../src/lakehouse/rds/open-rds-client.ts';
import { REPO_ROOT, cliEnv, runCliProcess, type CliRun } from '../cli/run-cli-process.ts';
import { tableTotals, tempLakehouses } from './support/generated-lakehouses.ts';

const BUILD = ['build', '--scale', '0.01', '--seed', '11'];
const lakehouses = tempLakehouses('lakehouse-concurrent-');
const tempPaths = (): LakehousePaths => lakehouses.paths();

/** A CLI process started now; `done` resolves with its run when it exits. */
function startCli(args: readonly string[]): { pid: number; done: Promise<CliRun> } {
  const tsx = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, path.join(REPO_ROOT, 'server/src/cli/index.ts'), ...args],
    { cwd: REPO_ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { pid: child.pid!, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))) };
}

async function waitForFile(file: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let clean: string[][];

beforeAll(async () => {
  const paths = tempPaths();
  const run = await runCliProcess([...BUILD, '--lakehouse-dir', paths.dir]);
  expect(run.code, run.stderr).toBe(0);
  clean = await tableTotals(paths.duckdbPath);
  expect(clean.every(([, rows]) => Number(rows) > 0)).toBe(true);
}, 180_000);

afterAll(() => {
  lakehouses.removeAll();
});

describe('two processes generating into one lakehouse folder', () => {
  it('the second gets LAKEHOUSE_BUSY naming the first, which builds what a clean build has', async () => {
    const paths = tempPaths();
    const first = startCli([...BUILD, '--lakehouse-dir', paths.dir]);
    // Once the first has marked its generation, it is writing landing files or the RDS.
    await waitForFile(path.join(paths.dir, 'sample-generation.json'));
    const second = await runCliProcess([...BUILD, '--lakehouse-dir', paths.dir]);
    const firstRun = await first.done;
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toContain('LAKEHOUSE_BUSY');
    expect(second.stderr).toContain(`process ${first.pid}`);
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(await tableTotals(paths.duckdbPath)).toEqual(clean);
    // The embedded RDS still opens and holds every return bronze got from it.
    const rds = await openRdsClient(paths.rdsUrl);
    try {
      const [returns] = (await rds.query('SELECT count(*) AS n FROM returns'));
      expect(String(returns!.n)).toBe(clean.find(([table]) => table === 'bronze.returns')![1]);
    } finally {
      await rds.close();
    }
  }, 240_000);

  it('while this process holds the embedded RDS, `cli ingest` is LAKEHOUSE_BUSY and the RDS stays intact', async () => {
    const paths = tempPaths();
    expect((await runCliProcess(['generate', '--scale', '0.01', '--seed', '11', '--lakehouse-dir', paths.dir])).code).toBe(0);
    const rds = await openRdsClient(paths.rdsUrl);
    let busy: CliRun;
    let returns: unknown;
    try {
      busy = await runCliProcess(['ingest', '--lakehouse-dir', paths.dir]);
      returns = (await rds.query('SELECT count(*) AS n FROM returns'))[0]!.n;
    } finally {
      await rds.close();
    }
    expect(busy.code, busy.stderr).toBe(3);
    expect(busy.stderr).toContain(`in use by process ${process.pid}`);
    expect(Number(returns)).toBeGreaterThan(0);
    const ingest = await runCliProcess(['ingest', '--lakehouse-dir', paths.dir]);
    expect(ingest.code, ingest.stderr).toBe(0);
  }, 180_000);
});
