import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelValidationError } from '../errors/user-error.ts';
import { modelSettingsFromEnv, openModel } from './open-model.ts';

const cube = (name: string) => `cubes:\n  - name: ${name}\n    sql_table: ${name}\n`;

describe('modelSettingsFromEnv', () => {
  it("uses Cube's variable names and defaults", () => {
    expect(modelSettingsFromEnv({}, '/srv')).toEqual({ directory: '/srv/model', watch: false });
    expect(modelSettingsFromEnv({ CUBEJS_SCHEMA_PATH: 'schema', CUBEJS_DEV_MODE: 'true' }, '/srv')).toEqual({ directory: '/srv/schema', watch: true });
    expect(modelSettingsFromEnv({ CUBEJS_SCHEMA_PATH: '/abs/m' }, '/srv').directory).toBe('/abs/m');
  });
});

describe('openModel', () => {
  it('loads once without watching, refuses an invalid model, and hot-reloads in dev mode', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'open-model-'));
    try {
      await writeFile(path.join(dir, 'a.yml'), cube('a'));
      const fixed = await openModel({ directory: dir, watch: false });
      expect(Object.keys(fixed.current().cubes)).toEqual(['a']);

      const reloads: string[][] = [];
      const live = await openModel({ directory: dir, watch: true }, { onReload: (m) => reloads.push(Object.keys(m.cubes)) });
      await writeFile(path.join(dir, 'a.yml'), cube('b'));
      for (let i = 0; i < 250 && reloads.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      live.close();
      expect(reloads).toEqual([['b']]);
      expect(Object.keys(live.current().cubes)).toEqual(['b']);
      expect(Object.keys(fixed.current().cubes)).toEqual(['a']);

      await writeFile(path.join(dir, 'a.yml'), 'cubes:\n  - name: a\n    nonsense: 1\n');
      await expect(openModel({ directory: dir, watch: false })).rejects.toBeInstanceOf(ModelValidationError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
