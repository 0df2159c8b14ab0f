/**
 * The Spark bridge's own rules, checked on recorded Spark replies and on statement text: what it
 * changes so `@databricks/sql` can read a Spark Thrift Server, and how it binds parameters.
 */
import { describe, expect, it } from 'vitest';
import { loadRecording } from './databricks-thrift-server.ts';
import { adaptSparkReply, inlineParameters } from './spark-thrift-bridge.ts';
import { readReply, T } from './thrift-cli-codec.ts';

describe('Spark bridge', () => {
  it('names the result format and numbers columns from 1 in the metadata Spark sends (recorded)', () => {
    const metadata = loadRecording('spark-driver-types').find((e) => e.method === 'GetResultSetMetadata')!;
    const spark = readReply(Buffer.from(metadata.upstreamResponse!, 'base64'));
    expect(spark.resultFormat).toBeNull();
    expect(spark.schema.columns.map((c: { position: number }) => c.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const adapted = readReply(adaptSparkReply('GetResultSetMetadata', Buffer.from(metadata.upstreamResponse!, 'base64'), false));
    expect(adapted.resultFormat).toBe(T.TSparkRowSetType.COLUMN_BASED_SET);
    expect(adapted.schema.columns.map((c: { position: number }) => c.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Buffer.from(metadata.response, 'base64').equals(adaptSparkReply('GetResultSetMetadata', Buffer.from(metadata.upstreamResponse!, 'base64'), false))).toBe(true);
  });

  it('announces protocol V8 (so the client sends parameters) only when binding them', () => {
    const open = loadRecording('spark-driver-types').find((e) => e.method === 'OpenSession')!;
    const body = Buffer.from(open.response, 'base64');
    expect(readReply(body).serverProtocolVersion).toBe(T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
    expect(readReply(adaptSparkReply('OpenSession', body, true)).serverProtocolVersion).toBe(T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8);
    expect(adaptSparkReply('OpenSession', body, false).equals(body)).toBe(true);
  });

  it('puts parameters in as Spark literals, leaving ? inside quotes and comments alone', () => {
    const p = (type: string, value?: string): { type: string; value: { stringValue?: string } | null } => ({ type, value: value === undefined ? null : { stringValue: value } });
    expect(inlineParameters("SELECT '?', `a?`, ? -- ?\n, ? /* ? */, x-?\n", [p('STRING', "it's \\ here"), p('INTEGER', '-5'), p('DECIMAL', '-1.50')]))
      .toBe("SELECT '?', `a?`, 'it\\'s \\\\ here' -- ?\n, (-5) /* ? */, x-(-1.50BD)\n");
    expect(inlineParameters('SELECT ?, ?, ?, ?', [p('BOOLEAN', 'TRUE'), p('DATE', '2024-02-29'), p('VOID'), p('BIGINT', '9007199254740993')]))
      .toBe("SELECT TRUE, DATE '2024-02-29', NULL, CAST(9007199254740993 AS BIGINT)");
    expect(() => inlineParameters('SELECT ?', [p('INTEGER', '1 OR 1=1')])).toThrow(/not a INTEGER literal/);
    expect(() => inlineParameters('SELECT ?, ?', [p('INTEGER', '1')])).toThrow(/more \? markers/);
  });
});
