/**
 * Hot reload keeps seeing a model file after an editor replaces it by rename (`sed -i`, vim,
 * JetBrains "safe write": write a temporary file, rename it over the original). Node 20's recursive
 * `fs.watch` reports such a save under the temporary name, then loses the replaced file's watch, so
 * later in-place appends gave no event: the watcher must re-scan the folder whatever the event says.
 */
import { appendFile, mkdtemp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelValidationError } from '../../src/errors/user-error.ts';
import { watchModel, type ModelWatcher } from '../../src/model/model-watcher.ts';

const cube = (name: string) => `cubes:\n  - name: ${name}\n    sql_table: ${name}\n    dimensions:\n      - { name: id, sql: id, type: number, primary_key: true }\n`;

async function waitFor(check: () => boolean, timeoutMs = 6000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the watcher');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What `sed -i` does: a temporary file named like sed's, renamed over the original. */
async function replaceByRename(file: string, content: string, tempName: string): Promise<void> {
  const temp = path.join(path.dirname(file), tempName);
  await writeFile(temp, content);
  await rename(temp, file);
}

describe.each([
  ['file-system events', undefined],
  ['re-scan only', 100],
])('watchModel after a file is replaced by rename (%s)', (_mode, pollIntervalMs) => {
  let dir: string;
  let watcher: ModelWatcher | undefined;

  afterEach(async () => {
    watcher?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('picks up two rename-replacements and then an in-place append of broken YAML', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'model-replace-'));
    await mkdir(path.join(dir, 'cubes'));
    const file = path.join(dir, 'cubes', 'dim_canal.yml');
    await writeFile(file, cube('canal_a'));
    const errors: unknown[] = [];
    watcher = await watchModel(dir, {
      onChange: () => {},
      onError: (e) => errors.push(e),
      debounceMs: 20,
      ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    });
    const cubesNow = () => Object.keys(watcher!.current?.cubes ?? {}).join(',');
    expect(cubesNow()).toBe('canal_a');

    await replaceByRename(file, cube('canal_b'), 'sedX1a2b3');
    await waitFor(() => cubesNow() === 'canal_b');
    await replaceByRename(file, cube('canal_c'), 'sedY4c5d6');
    await waitFor(() => cubesNow() === 'canal_c');
    const good = watcher.current!;

    await appendFile(file, '  - name: [broken\n');
    await waitFor(() => watcher!.lastError !== undefined);
    expect(watcher.lastError).toBeInstanceOf(ModelValidationError);
    expect(String(watcher.lastError)).toContain('cubes/dim_canal.yml');
    expect(watcher.current).toBe(good);

    // fixed by yet another rename-replacement: the error clears and the new model is current
    await replaceByRename(file, cube('canal_d'), 'sedZ7e8f9');
    await waitFor(() => cubesNow() === 'canal_d');
    expect(watcher.lastError).toBeUndefined();
  });
});

describe('watchModel re-scan', () => {
  it('reports a model folder that disappears once, not at every re-scan, and picks it up again', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'model-rescan-'));
    const dir = path.join(parent, 'model');
    await mkdir(dir);
    await writeFile(path.join(dir, 'a.yml'), cube('alpha'));
    const errors: unknown[] = [];
    const watcher = await watchModel(dir, { onChange: () => {}, onError: (e) => errors.push(e), debounceMs: 20, rescanIntervalMs: 25 });
    try {
      await rm(dir, { recursive: true });
      await waitFor(() => errors.length > 0);
      await new Promise((r) => setTimeout(r, 300)); // a dozen re-scans
      expect(errors.filter((e) => /ENOENT|does not exist/.test(String(e)))).toHaveLength(1);
      await mkdir(dir);
      await writeFile(path.join(dir, 'a.yml'), cube('beta'));
      await waitFor(() => Object.keys(watcher.current?.cubes ?? {}).join() === 'beta');
    } finally {
      watcher.close();
      await rm(parent, { recursive: true, force: true });
    }
  });
});
