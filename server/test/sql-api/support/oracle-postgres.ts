/**
 * A throwaway real Postgres cluster (Debian `postgresql` package) in a temp dir, as the oracle
 * for catalog answers. initdb refuses to run as root, so as root the cluster runs as the
 * `postgres` user (runuser); otherwise as the current user. Unix socket in the data dir, no TCP.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface OraclePostgres {
  readonly socketDir: string;
  readonly port: number;
  readonly user: string;
  stop(): void;
}

export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

export function startOraclePostgres(port: number): OraclePostgres {
  const bin = findPostgresBin();
  if (!bin) throw new Error('Postgres server binaries not found: apt-get install postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'pg-oracle-'));
  const asRoot = userInfo().uid === 0;
  const user = asRoot ? 'postgres' : userInfo().username;
  if (asRoot) {
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    chmodSync(dir, 0o700);
  }
  const runAs = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  };
  const data = join(dir, 'data');
  runAs(join(bin, 'initdb'), ['-D', data, '--no-sync', '-A', 'trust', '-U', user, '-E', 'UTF8', '--locale=C']);
  runAs(join(bin, 'pg_ctl'), ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses='' -c fsync=off`, 'start']);
  return {
    socketDir: dir,
    port,
    user,
    stop: () => runAs(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']),
  };
}
