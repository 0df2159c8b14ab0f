import { describe, expect, it } from 'vitest';
import { readEnvConfig } from './read-env-config.ts';
import { UserError } from '../errors/user-error.ts';
import { createDialect } from '../sql/dialects/create-dialect.ts';

const BASE = { CUBEJS_DEV_MODE: 'true', CUBEJS_DB_TYPE: 'redshift' };

describe('CUBEJS_DB_TYPE=redshift reads Cube\'s connection variables', () => {
  it('host, port, database, user, password, TLS and pool size', () => {
    const { source } = readEnvConfig({
      ...BASE, CUBEJS_DB_HOST: ' wg.123.us-east-1.redshift-serverless.amazonaws.com ', CUBEJS_DB_PORT: '5440', CUBEJS_DB_NAME: 'dev',
      CUBEJS_DB_USER: 'semantic_admin', CUBEJS_DB_PASS: 'p', CUBEJS_DB_SSL: 'true', CUBEJS_DB_SSL_REJECT_UNAUTHORIZED: 'false', CUBEJS_DB_MAX_POOL: '16',
    }, '/tmp');
    expect(source).toEqual({
      type: 'redshift', host: 'wg.123.us-east-1.redshift-serverless.amazonaws.com', port: 5440, database: 'dev', user: 'semantic_admin',
      password: 'p', ssl: true, sslRejectUnauthorized: false, maxPool: 16,
    });
  });

  it("defaults: Redshift's port 5439, no TLS unless asked, certificates verified when it is", () => {
    const { source } = readEnvConfig({ ...BASE, CUBEJS_DB_HOST: 'h' }, '/tmp');
    expect(source).toMatchObject({ type: 'redshift', port: 5439, ssl: false, sslRejectUnauthorized: true, maxPool: undefined });
  });

  it('a bad port or boolean stops the start with CONFIG_INVALID', () => {
    for (const env of [{ CUBEJS_DB_PORT: '70000' }, { CUBEJS_DB_PORT: 'abc' }, { CUBEJS_DB_SSL: 'yes please' }, { CUBEJS_DB_MAX_POOL: '0' }]) {
      let error: unknown;
      try {
        readEnvConfig({ ...BASE, CUBEJS_DB_HOST: 'h', ...env }, '/tmp');
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe('CONFIG_INVALID');
    }
  });

  it('the driver name picks the Redshift dialect', () => {
    expect(createDialect('redshift').name).toBe('redshift');
    expect(createDialect('redshift').capabilities.numberedParams).toBe(true);
  });
});
