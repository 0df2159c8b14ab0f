/**
 * Starts the real server for API tests: configuration from an env map (as a user sets it), the
 * composition root's `buildStack` (model compiler, DuckDB driver, engine), `createServer`, and
 * optionally a real socket on a free port. Also builds the corpus DuckDB file once per test file.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { ServerConfig } from '../../../src/config/config-types.ts';
import type { Driver } from '../../../src/drivers/driver-types.ts';
import type { SemanticEngine } from '../../../src/engine/engine-types.ts';
import { buildStack } from '../../../src/main.ts';
import { createLogger } from '../../../src/observability/create-logger.ts';
import { createServer, type SemanticServer } from '../../../src/server.ts';
import { buildCorpusDatabase, CORPUS_MODEL_DIR } from '../../fixtures/cube-corpus.ts';

/** A running stack; `url` is set when started with `listen: true`. */
export interface TestStack {
  readonly server: SemanticServer;
  readonly config: ServerConfig;
  readonly engine: SemanticEngine;
  readonly driver: Driver;
  readonly url: string;
  close(): Promise<void>;
}

/** What a test varies: environment, model, and an optional wrapper around the real engine. */
export interface StartStackOptions {
  readonly duckdbPath: string;
  readonly modelDir?: string;
  readonly env?: Record<string, string>;
  readonly wrapEngine?: (engine: SemanticEngine) => SemanticEngine;
  readonly listen?: boolean;
}

export async function startStack(options: StartStackOptions): Promise<TestStack> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'api-test-'));
  const config = await loadConfig({
    cwd,
    env: {
      CUBEJS_SCHEMA_PATH: options.modelDir ?? CORPUS_MODEL_DIR,
      CUBEJS_DB_DUCKDB_DATABASE_PATH: options.duckdbPath,
      CUBEJS_LOG_LEVEL: 'silent',
      ...options.env,
    },
  });
  const logger = createLogger({ level: 'silent' });
  const stack = await buildStack(config, logger);
  const engine = options.wrapEngine ? options.wrapEngine(stack.engine) : stack.engine;
  const server = createServer({ config, engine, driver: stack.driver, logger });
  const url = options.listen ? (await server.listen(0, '127.0.0.1')).url : '';
  return {
    server,
    config,
    engine,
    driver: stack.driver,
    url,
    async close() {
      await server.close();
      await stack.close();
    },
  };
}

let corpusFile: Promise<string> | undefined;

/** The corpus tables in a DuckDB file under a fresh temp dir (built once per test file). */
export function corpusDatabase(): Promise<string> {
  corpusFile ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cube-corpus-'));
    const file = path.join(dir, 'corpus.duckdb');
    await buildCorpusDatabase(file);
    return file;
  })();
  return corpusFile;
}

/** Runs hand-written SQL on a DuckDB file: the independent side of every comparison. */
export async function queryDuckDb(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.fromCache(file);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}
