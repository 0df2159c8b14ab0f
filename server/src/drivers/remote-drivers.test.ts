/**
 * Databricks and Athena cannot be reached from here: their clients are replaced by doubles at the
 * network boundary; what is checked is our side (parameters, paging, types, cancellation).
 */
import { describe, expect, it } from 'vitest';
import { AthenaDriver, athenaParameter, type AthenaCommands } from './athena-driver.ts';
import { DatabricksDriver, parseDatabricksUrl, type DatabricksClientLike } from './databricks-driver.ts';

const commands = {
  StartQueryExecutionCommand: class StartQueryExecutionCommand { constructor(readonly input: object) {} },
  GetQueryExecutionCommand: class GetQueryExecutionCommand { constructor(readonly input: object) {} },
  GetQueryResultsCommand: class GetQueryResultsCommand { constructor(readonly input: object) {} },
  StopQueryExecutionCommand: class StopQueryExecutionCommand { constructor(readonly input: object) {} },
} as unknown as AthenaCommands;

describe('AthenaDriver', () => {
  it('sends parameters as Athena literals, polls, and pages results into columns', async () => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    let polls = 0;
    const client = {
      async send(c: { input: unknown; constructor: { name: string } }) {
        const input = c.input as Record<string, unknown>;
        sent.push({ name: c.constructor.name, input });
        if (c.constructor.name === 'StartQueryExecutionCommand') return { QueryExecutionId: 'q1' };
        if (c.constructor.name === 'GetQueryExecutionCommand') return { QueryExecution: { Status: { State: ++polls < 2 ? 'RUNNING' : 'SUCCEEDED' } } };
        const meta = { ColumnInfo: [{ Name: 'city', Type: 'varchar' }, { Name: 'n', Type: 'bigint' }, { Name: 'm', Type: 'timestamp' }] };
        if (!input.NextToken) return { ResultSet: { ResultSetMetadata: meta, Rows: [{ Data: [{ VarCharValue: 'city' }, { VarCharValue: 'n' }, { VarCharValue: 'm' }] }, { Data: [{ VarCharValue: 'Recife' }, { VarCharValue: '3' }, { VarCharValue: '2024-05-01 00:00:00.000' }] }] }, NextToken: 't2' };
        return { ResultSet: { ResultSetMetadata: meta, Rows: [{ Data: [{}, { VarCharValue: '4' }, { VarCharValue: '2024-06-01 00:00:00.000' }] }] } };
      },
    };
    const driver = new AthenaDriver({ database: 'gold', workGroup: 'primary', pollMillis: 1 }, client, commands);
    const result = await driver.query('SELECT city, n, m FROM t WHERE city = ? AND n > ?', ["O'Hara", 2]);
    expect(sent[0]!.input).toMatchObject({ ExecutionParameters: ["'O''Hara'", '2'], WorkGroup: 'primary', QueryExecutionContext: { Database: 'gold' } });
    expect(result.data).toEqual([['Recife', null], [3, 4], ['2024-05-01T00:00:00.000', '2024-06-01T00:00:00.000']]);
    expect(result.columns.map((c) => c.type)).toEqual(['string', 'integer', 'time']);
  });

  it('reports a failed query as SOURCE_ERROR with the reason', async () => {
    const client = { async send(c: { constructor: { name: string } }) { return c.constructor.name === 'StartQueryExecutionCommand' ? { QueryExecutionId: 'q' } : { QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND' } } }; } };
    await expect(new AthenaDriver({ pollMillis: 1 }, client, commands).query('SELECT 1', [])).rejects.toMatchObject({ code: 'SOURCE_ERROR', message: expect.stringContaining('TABLE_NOT_FOUND') });
  });

  it('formats literals for ExecutionParameters', () => {
    expect([athenaParameter(null), athenaParameter(true), athenaParameter(1.5), athenaParameter("a'b")]).toEqual(['NULL', 'true', '1.5', "'a''b'"]);
  });
});

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
