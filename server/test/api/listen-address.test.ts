/**
 * Where the HTTP server (REST, GraphQL, playground, metrics) listens: on 127.0.0.1 unless
 * CUBEJS_HOST says otherwise, so a dev server is not reachable from other machines by accident.
 * Checked over real sockets: from loopback, and from this machine's own non-loopback address
 * (what another machine on the network would connect to).
 */
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { createServer, type SemanticServer } from '../../src/server.ts';
import { createLogger } from '../../src/observability/create-logger.ts';
import { startStack, type Stack } from '../support/stack.ts';

/** An IPv4 address of this machine that is not loopback, if it has one. */
const external = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function livez(url: string): Promise<number> {
  const response = await fetch(`${url}/livez`);
  await response.text();
  return response.status;
}

let stack: Stack;
let everywhere: SemanticServer | undefined;
beforeAll(async () => {
  stack = await startStack({ data: 'corpus' });
}, 120_000);
afterAll(async () => {
  await everywhere?.close();
  await stack?.close();
});

describe('HTTP listen address', () => {
  it('is 127.0.0.1 by default: answered from loopback, refused from the machine’s other addresses', async () => {
    expect(stack.config.host).toBeUndefined();
    const { port, url } = await stack.server.listen(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(await livez(url)).toBe(200);
    if (external) expect(await accepts(external, port), `${external}:${port}`).toBe(false);
  });

  it('is every interface with CUBEJS_HOST=0.0.0.0', async () => {
    const config = await loadConfig({ cwd: os.tmpdir(), env: { ...envOf(stack), CUBEJS_HOST: ' 0.0.0.0 ' } });
    expect(config.host).toBe('0.0.0.0');
    everywhere = createServer({ config, engine: stack.engine, driver: stack.driver, logger: createLogger({ level: 'silent' }) });
    const { port, url } = await everywhere.listen(0);
    expect(url).toBe(`http://localhost:${port}`);
    expect(await livez(`http://127.0.0.1:${port}`)).toBe(200);
    if (external) expect(await livez(`http://${external}:${port}`)).toBe(200);
  });
});

/** The variables the stack was started with (its model and DuckDB file), for a second config. */
function envOf(s: Stack): Record<string, string> {
  const source = s.config.source as { databasePath?: string };
  return { CUBEJS_DEV_MODE: 'true', CUBEJS_SCHEMA_PATH: s.config.schemaPath, CUBEJS_DB_DUCKDB_DATABASE_PATH: source.databasePath!, CUBEJS_LOG_LEVEL: 'silent' };
}
