/**
 * Dev-mode hot reload watches JavaScript and Jinja model files too (and the JSON they read): an
 * edit recompiles, a broken edit keeps the last good model and reports the file and line.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelValidationError } from '../../src/errors/user-error.ts';
import { watchModel, type ModelWatcher } from '../../src/model/model-watcher.ts';

const jsCube = (name: string) => `cube(\`${name}\`, {\n  sql_table: \`${name}\`,\n  measures: { count: { type: \`count\` } },\n});\n`;

async function waitFor(check: () => boolean, timeoutMs = 8000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the watcher');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('hot reload of JavaScript and Jinja models', () => {
  let dir: string;
  let watcher: ModelWatcher | undefined;

  afterEach(async () => {
    watcher?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('recompiles on .js, .yml.jinja and .json edits; a broken .js keeps the last good model', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'js-hot-reload-'));
    await mkdir(path.join(dir, 'cubes'));
    await writeFile(path.join(dir, 'cubes', 'a.js'), jsCube('alpha'));
    const errors: unknown[] = [];
    watcher = await watchModel(dir, { onChange: () => {}, onError: (e) => errors.push(e), debounceMs: 20 });
    const cubesNow = () => Object.keys(watcher!.current?.cubes ?? {}).sort().join(',');
    expect(cubesNow()).toBe('alpha');

    await writeFile(path.join(dir, 'cubes', 'a.js'), jsCube('alpha') + jsCube('beta'));
    await waitFor(() => cubesNow() === 'alpha,beta');

    await writeFile(path.join(dir, 'cubes', 'gen.yml.jinja'), 'cubes:\n{% for n in ["g1", "g2"] %}\n  - name: {{ n }}\n    sql_table: {{ n }}\n{% endfor %}\n');
    await waitFor(() => cubesNow() === 'alpha,beta,g1,g2');

    await writeFile(path.join(dir, 'names.json'), '["delta"]');
    await writeFile(path.join(dir, 'cubes', 'from-json.js'), `for (const n of require('../names.json')) cube(n, { sql_table: n });\n`);
    await waitFor(() => cubesNow() === 'alpha,beta,delta,g1,g2');
    await writeFile(path.join(dir, 'names.json'), '["delta", "epsilon"]');
    await waitFor(() => cubesNow() === 'alpha,beta,delta,epsilon,g1,g2');

    await writeFile(path.join(dir, 'cubes', 'a.js'), `cube('alpha', {\n  sql_table: 'alpha',\n  measures: { count: { type: 'count' }\n});\n`);
    await waitFor(() => errors.some((e) => e instanceof ModelValidationError));
    expect(cubesNow()).toBe('alpha,beta,delta,epsilon,g1,g2');
    const problem = (errors.find((e) => e instanceof ModelValidationError) as ModelValidationError).problems[0]!;
    expect(problem.location).toMatchObject({ file: 'cubes/a.js', line: 4 });
  });
});
