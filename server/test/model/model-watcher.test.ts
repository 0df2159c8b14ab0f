import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelValidationError } from '../../src/errors/user-error.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { watchModel, type ModelWatcher } from '../../src/model/model-watcher.ts';

const cube = (name: string) => `cubes:\n  - name: ${name}\n    sql_table: ${name}\n    dimensions:\n      - { name: id, sql: id, type: number, primary_key: true }\n`;

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the watcher');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each([
  ['file-system events', undefined],
  ['polling', 50],
])('watchModel (%s)', (_mode, pollIntervalMs) => {
  let dir: string;
  let watcher: ModelWatcher | undefined;

  afterEach(async () => {
    watcher?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('recompiles on change and keeps the last good model when an edit is invalid', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'model-watch-'));
    await mkdir(path.join(dir, 'cubes'));
    await writeFile(path.join(dir, 'cubes', 'a.yml'), cube('alpha'));
    const changes: SemanticModel[] = [];
    const errors: unknown[] = [];
    watcher = await watchModel(dir, {
      onChange: (m) => changes.push(m),
      onError: (e) => errors.push(e),
      debounceMs: 20,
      ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    });
    expect(Object.keys(watcher.current!.cubes)).toEqual(['alpha']);
    expect(changes).toHaveLength(1);

    // An editor's save is not atomic: the watcher may first see a truncated file (a valid, smaller
    // model) and then the full one, so wait for the final content rather than a count of changes.
    const cubesNow = () => Object.keys(watcher!.current?.cubes ?? {}).sort().join(',');
    await writeFile(path.join(dir, 'cubes', 'b.yml'), cube('beta'));
    await waitFor(() => cubesNow() === 'alpha,beta');
    expect(Object.keys(watcher.current!.cubes).sort()).toEqual(['alpha', 'beta']);

    const good = watcher.current!;
    await writeFile(path.join(dir, 'cubes', 'b.yml'), `${cube('beta')}    bogus_key: 1\n`);
    await waitFor(() => errors.length > 0);
    expect(errors[0]).toBeInstanceOf(ModelValidationError);
    expect((errors[0] as ModelValidationError).message).toContain('cubes/b.yml:6: beta: unknown key "bogus_key"');
    expect(watcher.current).toBe(good);

    await writeFile(path.join(dir, 'cubes', 'b.yml'), cube('gamma'));
    await waitFor(() => cubesNow() === 'alpha,gamma');
    expect(Object.keys(watcher.current!.cubes).sort()).toEqual(['alpha', 'gamma']);
    expect(watcher.current!.version).not.toBe(good.version);
  });
});

describe('watchModel start-up', () => {
  it('reports an invalid initial model and has no current model', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'model-watch-'));
    try {
      await writeFile(path.join(dir, 'bad.yaml'), 'cubes:\n  - name: x\n');
      const errors: unknown[] = [];
      const watcher = await watchModel(dir, { onChange: () => {}, onError: (e) => errors.push(e) });
      watcher.close();
      expect(watcher.current).toBeUndefined();
      expect(String(errors[0])).toContain('bad.yaml:2: x: cube x needs "sql_table" or "sql"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
