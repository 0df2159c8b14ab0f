import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { UserError } from '../errors/user-error.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'config-test-'));
}

describe('loadConfig', () => {
  it("uses Cube's defaults when only dev mode is set", async () => {
    const cwd = await tempDir();
    const config = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true' }, cwd });
    expect(config.port).toBe(4000);
    expect(config.schemaPath).toBe(path.join(cwd, 'model'));
    expect(config.source).toEqual({ type: 'duckdb', databasePath: undefined, isLocalLakehouse: true });
    expect(config.queryLimit).toBe(50_000);
    expect(config.queryDefaultLimit).toBe(10_000);
    expect(config.continueWaitMs).toBe(10_000);
    expect(config.playground).toBe(true);
    expect(config.jwt.algorithms).toEqual(['HS256']);
  });

  it("reads Cube's variable names for the model folder, DuckDB file, limits and ports", async () => {
    const cwd = await tempDir();
    const config = await loadConfig({
      cwd,
      env: {
        CUBEJS_API_SECRET: 's3cret',
        CUBEJS_SCHEMA_PATH: 'other/model',
        CUBEJS_DB_DUCKDB_DATABASE_PATH: '/tmp/x.duckdb',
        CUBEJS_DB_QUERY_LIMIT: '1000',
        CUBEJS_DB_QUERY_DEFAULT_LIMIT: '5000',
        PORT: '4100',
        CUBEJS_PG_SQL_PORT: '15432',
        CUBEJS_CONTINUE_WAIT_TIMEOUT: '2',
        CUBEJS_DB_QUERY_TIMEOUT: '30s',
      },
    });
    expect(config.devMode).toBe(false);
    expect(config.playground).toBe(false);
    expect(config.schemaPath).toBe(path.join(cwd, 'other/model'));
    expect(config.source).toEqual({ type: 'duckdb', databasePath: '/tmp/x.duckdb', isLocalLakehouse: false });
    expect(config.queryLimit).toBe(1000);
    expect(config.queryDefaultLimit).toBe(1000); // never above the maximum
    expect(config.port).toBe(4100);
    expect(config.pgSqlPort).toBe(15432);
    expect(config.continueWaitMs).toBe(2000);
    expect(config.queryTimeoutMs).toBe(30_000);
  });

  it('reads the Databricks and Athena connection variables', async () => {
    const cwd = await tempDir();
    const databricks = await loadConfig({
      cwd,
      env: {
        CUBEJS_DEV_MODE: 'true',
        CUBEJS_DB_TYPE: 'databricks-jdbc',
        CUBEJS_DB_DATABRICKS_URL: 'jdbc:databricks://h:443/default;httpPath=/sql/1',
        CUBEJS_DB_DATABRICKS_TOKEN: 'tok',
        CUBEJS_DB_DATABRICKS_CATALOG: 'main',
        CUBEJS_DB_SCHEMA: 'gold',
      },
    });
    expect(databricks.source).toEqual({
      type: 'databricks', url: 'jdbc:databricks://h:443/default;httpPath=/sql/1', token: 'tok', catalog: 'main', schema: 'gold',
    });
    const athena = await loadConfig({
      cwd,
      env: {
        CUBEJS_DEV_MODE: 'true', CUBEJS_DB_TYPE: 'athena', CUBEJS_AWS_KEY: 'k', CUBEJS_AWS_SECRET: 's', CUBEJS_AWS_REGION: 'us-east-1',
        CUBEJS_AWS_S3_OUTPUT_LOCATION: 's3://out/', CUBEJS_AWS_ATHENA_WORKGROUP: 'wg', CUBEJS_DB_SCHEMA: 'gold',
      },
    });
    expect(athena.source).toMatchObject({ type: 'athena', accessKeyId: 'k', secretAccessKey: 's', region: 'us-east-1', s3OutputLocation: 's3://out/', workgroup: 'wg', schema: 'gold' });
  });

  it('refuses to start in production mode without CUBEJS_API_SECRET, naming the variable', async () => {
    const cwd = await tempDir();
    const error = await loadConfig({ env: {}, cwd }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toMatch(/CUBEJS_API_SECRET is required in production mode/);
  });

  it('rejects bad values with the variable name', async () => {
    const cwd = await tempDir();
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'yes' }, cwd })).rejects.toThrow(/CUBEJS_DEV_MODE="yes" is not a boolean/);
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'true', PORT: 'abc' }, cwd })).rejects.toThrow(/PORT="abc"/);
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_DB_TYPE: 'oracle' }, cwd })).rejects.toThrow(/CUBEJS_DB_TYPE="oracle" is not supported/);
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_CONFIG_PATH: 'missing.ts' }, cwd })).rejects.toThrow(/does not exist/);
  });

  it('reads the HTTP listen address (unset = the server default, 127.0.0.1)', async () => {
    const cwd = await tempDir();
    expect((await loadConfig({ env: { CUBEJS_DEV_MODE: 'true' }, cwd })).host).toBeUndefined();
    expect((await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_HOST: ' ' }, cwd })).host).toBeUndefined();
    expect((await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_HOST: '0.0.0.0' }, cwd })).host).toBe('0.0.0.0');
  });

  it('reads the SQL API wire limits: listen address, message size, auth timeout (unset = server defaults)', async () => {
    const cwd = await tempDir();
    const unset = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true' }, cwd });
    expect([unset.pgSqlHost, unset.pgSqlMaxMessageBytes, unset.pgSqlAuthTimeoutMs]).toEqual([undefined, undefined, undefined]);
    const set = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_PG_SQL_HOST: '0.0.0.0', CUBEJS_PG_SQL_MAX_MESSAGE_SIZE: '1048576', CUBEJS_PG_SQL_AUTH_TIMEOUT: '30s' }, cwd });
    expect([set.pgSqlHost, set.pgSqlMaxMessageBytes, set.pgSqlAuthTimeoutMs]).toEqual(['0.0.0.0', 1_048_576, 30_000]);
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_PG_SQL_MAX_MESSAGE_SIZE: '100' }, cwd })).rejects.toThrow(/CUBEJS_PG_SQL_MAX_MESSAGE_SIZE="100" is not an integer between 10000 and 1073741823/);
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_PG_SQL_AUTH_TIMEOUT: '0' }, cwd })).rejects.toThrow(/CUBEJS_PG_SQL_AUTH_TIMEOUT must be longer than 0/);
  });

  it('loads cube.config.ts from the working directory and checks its hooks', async () => {
    const cwd = await tempDir();
    await writeFile(
      path.join(cwd, 'cube.config.ts'),
      'export default { queryRewrite: (q: unknown) => q, contextToAppId: () => "app_1" };\n',
    );
    const config = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true' }, cwd });
    expect(config.configFilePath).toBe(path.join(cwd, 'cube.config.ts'));
    expect(typeof config.configFile.queryRewrite).toBe('function');
    expect(config.configFile.contextToAppId?.({ securityContext: {} })).toBe('app_1');

    const bad = path.join(cwd, 'bad.config.ts');
    await writeFile(bad, 'export default { checkAuth: 42 };\n');
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_CONFIG_PATH: bad }, cwd })).rejects.toThrow(/checkAuth must be a function, got number/);
  });

  it('starts in production without a secret when the config file brings checkAuth', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'cube.config.ts'), 'export default { checkAuth: () => ({ user: "x" }) };\n');
    const config = await loadConfig({ env: {}, cwd });
    expect(config.devMode).toBe(false);
  });

  it('loads the shipped sample config file', async () => {
    const cwd = await tempDir();
    const sample = path.join(import.meta.dirname, 'sample-cube-config.ts');
    const config = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_CONFIG_PATH: sample }, cwd });
    const rewritten = await config.configFile.queryRewrite!({ measures: ['fato_vendas.receita_liquida'] }, { securityContext: { estado: 'SP' } });
    expect(rewritten.filters).toEqual([{ member: 'dim_cliente.estado', operator: 'equals', values: ['SP'] }]);
    const groups = config.configFile.contextToGroups!;
    expect(await groups({ securityContext: { 'cognito:groups': ['gerente_loja'] } })).toEqual(['gerente_loja']);
    expect(await groups({ securityContext: { 'https://loja.example.com/roles': ['store-manager', 'constructor', 'admin'] } })).toEqual(['gerente_loja']);
    expect(await groups({ securityContext: { groups: ['internal'], roles: ['bi-team'] } })).toEqual([]);
  });

  it('reads CUBEJS_SQL_SECURITY_CONTEXT as a JSON object and refuses anything else', async () => {
    const cwd = await tempDir();
    expect((await loadConfig({ env: { CUBEJS_DEV_MODE: 'true' }, cwd })).sqlSecurityContext).toBeUndefined();
    const set = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_SQL_SECURITY_CONTEXT: '{"groups":["internal"]}' }, cwd });
    expect(set.sqlSecurityContext).toEqual({ groups: ['internal'] });
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_SQL_SECURITY_CONTEXT: '{groups: internal}' }, cwd })).rejects.toThrow(/CUBEJS_SQL_SECURITY_CONTEXT is not valid JSON/);
    await expect(loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_SQL_SECURITY_CONTEXT: '["internal"]' }, cwd })).rejects.toThrow(/must be a JSON object, got an array/);
  });
});
