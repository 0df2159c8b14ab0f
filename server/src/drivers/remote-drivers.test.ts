/**
 * Databricks cannot be reached from here: its client is replaced by a double at the network
 * boundary; what is checked is our side (parameters, types). The Athena driver is tested through
 * the real AWS SDK against a local Athena endpoint (server/test/drivers/athena-driver.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DatabricksDriver, parseDatabricksUrl, type DatabricksClientLike } from './databricks-driver.ts';

describe('DatabricksDriver', () => {
  it('connects once, binds ordinal parameters and converts rows to columns', async () => {
    const calls: unknown[] = [];
    const client: DatabricksClientLike = {
      async connect(o) { calls.push(['connect', o]); },
      async openSession(o) {
        calls.push(['session', o]);
        return {
          async executeStatement(sql, o2) {
            calls.push(['execute', sql, o2.ordinalParameters]);
            return {
              async fetchAll() { return [{ nome: 'Site', total: 10.5, n: 3 }, { nome: null, total: 1, n: 4 }]; },
              async getSchema() { return { columns: [{ columnName: 'nome', typeDesc: { types: [{ primitiveEntry: { type: 7 } }] } }, { columnName: 'total', typeDesc: { types: [{ primitiveEntry: { type: 15 } }] } }, { columnName: 'n', typeDesc: { types: [{ primitiveEntry: { type: 4 } }] } }] }; },
              async cancel() {},
              async close() {},
            };
          },
          async close() {},
        };
      },
      async close() {},
    };
    const driver = new DatabricksDriver({ url: 'https://adb-1.azuredatabricks.net/sql/1.0/warehouses/abc', token: 't', catalog: 'main' }, client);
    const r1 = await driver.query('SELECT 1 WHERE x = ?', ['a']);
    await driver.query('SELECT 2', []);
    expect(calls.filter((c) => (c as unknown[])[0] === 'connect')).toHaveLength(1);
    expect(calls[0]).toEqual(['connect', { host: 'adb-1.azuredatabricks.net', path: '/sql/1.0/warehouses/abc', token: 't' }]);
    expect(calls[2]).toEqual(['execute', 'SELECT 1 WHERE x = ?', ['a']]);
    expect(r1.data).toEqual([['Site', null], ['10.5', '1'], [3, 4]]);
  });

  it('reads host and http path from a JDBC URL as Cube takes it', () => {
    expect(parseDatabricksUrl('jdbc:databricks://dbc-1.cloud.databricks.com:443/default;transportMode=http;ssl=1;httpPath=sql/protocolv1/o/1/abc;AuthMech=3')).toEqual({ host: 'dbc-1.cloud.databricks.com', path: 'sql/protocolv1/o/1/abc' });
    expect(() => parseDatabricksUrl('nonsense')).toThrow(/httpPath/);
  });
});
