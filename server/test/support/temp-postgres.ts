/**
 * A throwaway real Postgres cluster (Debian's `postgresql` package, as `.ci/run` installs it) in a
 * temp dir: the one way tests start one. initdb refuses to run as root, so as root the cluster
 * belongs to the `postgres` account (commands through runuser); otherwise to the current user.
 * The Unix socket lives in the temp dir; TCP on 127.0.0.1 when asked. Local (socket) connections
 * are trusted, so a test can set itself up without a password; TCP ones use `hostAuth`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface TempPostgresOptions {
  /** Temp dir name prefix (it tells which suite left a cluster behind). */
  readonly prefix: string;
  /** TCP port; a free one when absent. */
  readonly port?: number;
  /** Listen on 127.0.0.1 too (default: the Unix socket only). */
  readonly tcp?: boolean;
  /** How TCP connections authenticate (default trust). */
  readonly hostAuth?: 'trust' | 'scram-sha-256';
  /** The bootstrap superuser's name (default: the account that owns the cluster) and password. */
  readonly superuser?: string;
  readonly superuserPassword?: string;
  /** TLS with a throwaway self-signed certificate for 127.0.0.1. */
  readonly tls?: boolean;
  /** More `-c name=value` server settings. */
  readonly settings?: readonly string[];
}

export interface TempPostgres {
  readonly port: number;
  /** The directory holding the Unix socket (a `pg` client's `host`). */
  readonly socketDir: string;
  readonly superuser: string;
  /** The server's log file. */
  readonly logFile: string;
  /** Stops the server (immediately) and deletes its files. */
  stop(): void;
}

export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

/** Starts the cluster (about 1–2 s) and waits until it accepts connections. */
export async function startTempPostgres(options: TempPostgresOptions): Promise<TempPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('Postgres server binaries not found: apt-get install postgresql (.ci/run does)');
  const dir = mkdtempSync(join(tmpdir(), `${options.prefix}-`));
  const asRoot = userInfo().uid === 0;
  const account = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : undefined;
  const own = (file: string, mode: number): void => {
    if (account) chownSync(file, account.uid, account.gid);
    chmodSync(file, mode);
  };
  const run = (cmd: string, args: readonly string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, [...args]];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr}`);
  };
  own(dir, 0o700);
  const superuser = options.superuser ?? (asRoot ? 'postgres' : userInfo().username);
  const initdb = ['-D', join(dir, 'data'), '--no-sync', '-U', superuser, '-E', 'UTF8', '--locale=C', '--auth-local=trust', `--auth-host=${options.hostAuth ?? 'trust'}`];
  if (options.superuserPassword !== undefined) {
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, options.superuserPassword);
    own(pwfile, 0o600);
    initdb.push(`--pwfile=${pwfile}`);
  }
  const settings = [`-c listen_addresses=${options.tcp ? '127.0.0.1' : "''"}`, '-c fsync=off', ...(options.settings ?? []).map((s) => `-c ${s}`)];
  if (options.tls) {
    const key = join(dir, 'server.key');
    const cert = join(dir, 'server.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    own(key, 0o600);
    own(cert, 0o644);
    settings.push('-c ssl=on', `-c ssl_cert_file=${cert}`, `-c ssl_key_file=${key}`);
  }
  run(join(bin, 'initdb'), initdb);
  const port = options.port ?? await freePort();
  const logFile = join(dir, 'log');
  run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-w', '-l', logFile, '-o', [`-p ${port}`, `-k ${dir}`, ...settings].join(' '), 'start']);
  return {
    port,
    socketDir: dir,
    superuser,
    logFile,
    stop: () => {
      run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
