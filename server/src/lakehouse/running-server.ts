import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from './process-alive.ts';

/**
 * What a running `npm start` tells the pipeline CLI about itself, in `<lakehouse-dir>/server.json`:
 * DuckDB lets one process open the lakehouse file, so while the server holds it the CLI sends
 * lakehouse work to the server's jobs API, and `stream produce` writes to the server's local stream.
 */
export interface RunningServer {
  readonly pid: number;
  /** Base URL of the HTTP server, e.g. `http://localhost:4000`. */
  readonly url: string;
  /** Where the REST API is mounted under `url` (`/cubejs-api/v1`). */
  readonly restBasePath: string;
  /** The DuckDB file the server holds. */
  readonly duckdbPath: string;
  /** The in-process Kinesis (kinesalite) and stream, when the real-time path runs. */
  readonly stream?: { readonly endpoint: string; readonly streamName: string };
  readonly startedAt: string;
}

const FILE_NAME = 'server.json';

/**
 * Writes the announcement (atomically: temp file then rename) and returns the function that
 * removes it at shutdown. A server that dies without removing it leaves a stale file; readers
 * ignore it once its process is gone.
 */
export function announceRunningServer(lakehouseDir: string, server: Omit<RunningServer, 'pid' | 'startedAt'>): () => void {
  const file = path.join(lakehouseDir, FILE_NAME);
  const announced: RunningServer = { pid: process.pid, startedAt: new Date().toISOString(), ...server };
  fs.mkdirSync(lakehouseDir, { recursive: true });
  fs.writeFileSync(`${file}.${process.pid}.tmp`, `${JSON.stringify(announced, null, 2)}\n`);
  fs.renameSync(`${file}.${process.pid}.tmp`, file);
  return () => {
    // Only our own announcement: a newer server on the same folder may have replaced it.
    if (findRunningServer(lakehouseDir)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
}

/** The server announced in `lakehouseDir`, when its process is alive; undefined otherwise (none, stale or unreadable). */
export function findRunningServer(lakehouseDir: string): RunningServer | undefined {
  let announced: RunningServer;
  try {
    announced = JSON.parse(fs.readFileSync(path.join(lakehouseDir, FILE_NAME), 'utf8')) as RunningServer;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(announced.pid) || typeof announced.url !== 'string' || typeof announced.duckdbPath !== 'string') return undefined;
  return isProcessAlive(announced.pid) ? announced : undefined;
}
