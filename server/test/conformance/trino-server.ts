/**
 * A real Trino server for one test file: Trino 476 as scripts/install-trino.sh unpacks it
 * (~/.cache/trino-476, or TRINO_HOME), run by a Java 24+ runtime (Trino 476's minimum; the default
 * Java 17 cannot) on a free loopback port with a small heap, one coordinator that also schedules
 * work on itself, and only the memory connector loaded (catalog `memory`). Config and data live in a temp
 * dir removed by `stop()`. `findTrino()` says why Trino cannot run instead of throwing, so a suite
 * can fail on CI and skip locally with that reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TrinoHttpDriver } from './trino-http-driver.ts';
import { freePort } from '../support/free-port.ts';

export const TRINO_VERSION = 476;
/** Trino 476 is compiled for Java 24. */
const MIN_JAVA = 24;

export interface TrinoInstall {
  readonly home: string;
  readonly java: string;
}

/** The unpacked server and a Java able to run it, or the reason there is none. */
export function findTrino(): { install?: TrinoInstall; missing?: string } {
  const home = process.env.TRINO_HOME ?? path.join(trinoCache(), `trino-server-core-${TRINO_VERSION}`);
  if (!existsSync(path.join(home, 'lib')) || !existsSync(path.join(home, 'plugin', 'memory'))) {
    return { missing: `no Trino ${TRINO_VERSION} server with the memory plugin at ${home} (run scripts/install-trino.sh, or set TRINO_HOME)` };
  }
  const java = findJava();
  if (!java) return { missing: `no Java ${MIN_JAVA}+ runtime for Trino ${TRINO_VERSION} (set TRINO_JAVA_HOME, or run scripts/install-trino.sh; looked in JAVA_HOME, /usr/lib/jvm and the Trino cache)` };
  return { install: { home, java } };
}

/** Where scripts/install-trino.sh installs (TRINO_CACHE_DIR, else ~/.cache/trino-476). */
function trinoCache(): string {
  return process.env.TRINO_CACHE_DIR ?? path.join(os.homedir(), '.cache', `trino-${TRINO_VERSION}`);
}

/**
 * TRINO_JAVA_HOME, else the newest runtime whose `release` says ≥ 24 among JAVA_HOME, the JDKs under
 * /usr/lib/jvm and the one install-trino.sh fetched when the machine had none (the cache's java-runtime).
 */
function findJava(): string | undefined {
  if (process.env.TRINO_JAVA_HOME) return path.join(process.env.TRINO_JAVA_HOME, 'bin', 'java');
  const candidates = [process.env.JAVA_HOME, ...listJvms(), path.join(trinoCache(), 'java-runtime')].filter((d): d is string => Boolean(d));
  const usable = candidates
    .map((dir) => ({ dir, major: javaMajor(dir) }))
    .filter((c) => c.major >= MIN_JAVA && existsSync(path.join(c.dir, 'bin', 'java')))
    .sort((a, b) => b.major - a.major);
  return usable[0] ? path.join(usable[0].dir, 'bin', 'java') : undefined;
}

function listJvms(): string[] {
  try {
    return readdirSync('/usr/lib/jvm').map((d) => path.join('/usr/lib/jvm', d));
  } catch {
    return [];
  }
}

function javaMajor(dir: string): number {
  try {
    const m = /JAVA_VERSION="(\d+)/.exec(readFileSync(path.join(dir, 'release'), 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface TrinoServer {
  /** Base URL of the coordinator, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Milliseconds from spawn to the first query answered. */
  readonly startupMillis: number;
  stop(): Promise<void>;
}

/** Starts Trino and resolves once it accepts queries; rejects with the server log's tail if it dies or takes too long. */
export async function startTrino(install: TrinoInstall, options: { heap?: string; timeoutMillis?: number } = {}): Promise<TrinoServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trino-conformance-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  await mkdir(path.join(dir, 'catalog'));
  await mkdir(path.join(dir, 'data'));
  // Only the memory connector is loaded: the other bundled plugins (file system exchange, Python
  // functions, geospatial…) would cost startup time and are never used here.
  await mkdir(path.join(dir, 'plugin'));
  await symlink(path.join(install.home, 'plugin', 'memory'), path.join(dir, 'plugin', 'memory'));
  await writeFile(path.join(dir, 'config.properties'), [
    'coordinator=true',
    'node-scheduler.include-coordinator=true',
    `http-server.http.port=${port}`,
    `discovery.uri=${url}`,
    'query.max-memory=1GB',
    'query.max-memory-per-node=1GB',
    '',
  ].join('\n'));
  await writeFile(path.join(dir, 'catalog', 'memory.properties'), 'connector.name=memory\nmemory.max-data-per-node=256MB\n');
  await writeFile(path.join(dir, 'log.properties'), 'io.trino=WARN\nio.airlift=WARN\n');
  const started = Date.now();
  // Run in the temp dir: Trino writes its HTTP request log under the working directory (var/log).
  const child = spawn(install.java, [
    `-Xmx${options.heap ?? '2g'}`,
    '-XX:+UseG1GC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djdk.attach.allowAttachSelf=true',
    '-Duser.timezone=UTC',
    `-Dconfig=${path.join(dir, 'config.properties')}`,
    `-Dlog.levels-file=${path.join(dir, 'log.properties')}`,
    `-Dcatalog.config-dir=${path.join(dir, 'catalog')}`,
    `-Dplugin.dir=${path.join(dir, 'plugin')}`,
    // The client JIT only: startup dominates and the tables are tiny.
    '-XX:TieredStopAtLevel=1',
    '-Dnode.environment=conformance',
    '-Dnode.id=conformance',
    `-Dnode.data-dir=${path.join(dir, 'data')}`,
    '-Dnode.bind-ip=127.0.0.1',
    '-Dnode.internal-address=127.0.0.1',
    '-cp', `${path.join(install.home, 'lib')}/*`,
    'io.trino.server.TrinoServer',
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer): void => { log = (log + chunk.toString()).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    await killProcess(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilStarted(url, child, options.timeoutMillis ?? 150_000, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, startupMillis: Date.now() - started, stop };
}

async function waitUntilStarted(url: string, child: ChildProcess, timeoutMillis: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Trino exited with code ${child.exitCode} while starting:\n${log().slice(-4000)}`);
    try {
      const info = (await (await fetch(`${url}/v1/info`)).json()) as { starting?: boolean };
      // Started, and the coordinator is a worker with the memory catalog: until the node announces
      // it, reads and writes of memory tables fail with NO_NODES_AVAILABLE (SELECT 1 already works).
      if (info.starting === false) {
        const probe = new TrinoHttpDriver(url, 'memory', 'default');
        await probe.query('CREATE TABLE IF NOT EXISTS memory.default.ready AS SELECT 1 AS x', []);
        await probe.query('SELECT count(*) FROM memory.default.ready', []);
        await probe.query('DROP TABLE memory.default.ready', []);
        return;
      }
    } catch {
      // not listening yet, or no worker yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Trino did not start within ${timeoutMillis} ms:\n${log().slice(-4000)}`);
}

/** SIGTERM (Trino shuts down cleanly), SIGKILL after 10 s. */
async function killProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

