/**
 * Regression: `node --import tsx <path to main.ts>` through a symlinked path (a release folder
 * linked as `current`, a container root assembled from links) exited 0 at once without starting:
 * main.ts compared its real-path URL with the path as typed. Started through a link, it must run —
 * here it reaches the configuration check and refuses to start in production without a secret.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../../..');

describe('main.ts started through a symlink', () => {
  it('runs main (here: refuses production without a secret, exit 1) instead of exiting 0 silently', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'entry-link-'));
    const link = path.join(dir, 'src');
    await symlink(path.join(REPO, 'server', 'src'), link);
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(link, 'main.ts')], {
      cwd: REPO,
      env: { PATH: process.env.PATH, HOME: dir, CUBEJS_DEV_MODE: 'false', CUBEJS_API_SECRET: '', CUBEJS_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toMatch(/Cannot start: CUBEJS_API_SECRET is required in production mode/);
    expect(result.status).toBe(1);
  });
});
