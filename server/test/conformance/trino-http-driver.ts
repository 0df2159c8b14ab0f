/**
 * A `Driver` over Trino's client REST protocol (POST /v1/statement, then GET each `nextUri` until
 * none is left; DELETE on abort). Parameters travel the way Athena's ExecutionParameters do: the
 * statement is prepared (X-Trino-Prepared-Statement) and run by `EXECUTE … USING` with each value
 * as a literal spelled by the Athena driver's own `athenaParameter`; rows go through the same
 * `toColumnar`/`columnTypeOf` the Athena driver uses. So the conformance suite runs the SQL, the
 * bindings and the value conversion of the production Athena path, against a real engine.
 * Test support only: the server has no Trino data source of its own.
 */
import { athenaParameter } from '../../src/drivers/athena-driver.ts';
import { columnTypeOf, toColumnar } from '../../src/drivers/columnar-rows.ts';
import type { Driver, QueryOptions, QueryResult } from '../../src/drivers/driver-types.ts';

interface TrinoResponse {
  readonly nextUri?: string;
  readonly columns?: readonly { readonly name: string; readonly type: string }[];
  readonly data?: readonly (readonly unknown[])[];
  readonly error?: { readonly message: string; readonly errorName?: string; readonly errorType?: string };
}

export class TrinoQueryError extends Error {
  constructor(message: string, readonly errorName: string | undefined, readonly sql: string) {
    super(`${message}${errorName ? ` (${errorName})` : ''}\nSQL: ${sql}`);
  }
}

export class TrinoHttpDriver implements Driver {
  readonly name = 'trino';
  private statements = 0;

  /** `catalog`/`schema` resolve unqualified table names; the session zone is UTC, as Athena's. */
  constructor(private readonly url: string, private readonly catalog: string, private readonly schema: string) {}

  async query(sql: string, params: readonly unknown[], options: QueryOptions = {}): Promise<QueryResult> {
    const headers: Record<string, string> = {
      'X-Trino-User': 'conformance',
      'X-Trino-Catalog': this.catalog,
      'X-Trino-Schema': this.schema,
      'X-Trino-Time-Zone': 'UTC',
      'Content-Type': 'text/plain; charset=utf-8',
    };
    let body = sql;
    if (params.length > 0) {
      const name = `s${++this.statements}`;
      headers['X-Trino-Prepared-Statement'] = `${name}=${encodeURIComponent(sql)}`;
      body = `EXECUTE ${name} USING ${params.map(athenaParameter).join(', ')}`;
    }
    let response = await this.send(`${this.url}/v1/statement`, { method: 'POST', body, headers, signal: options.signal }, sql);
    let columns: { name: string; type: string }[] | undefined;
    const rows: (readonly unknown[])[] = [];
    for (;;) {
      if (response.error) throw new TrinoQueryError(response.error.message, response.error.errorName, sql);
      if (response.columns && !columns) columns = response.columns.map((c) => ({ name: c.name, type: c.type }));
      if (response.data) rows.push(...response.data);
      if (!response.nextUri) break;
      const next = response.nextUri;
      if (options.signal?.aborted) {
        await fetch(next, { method: 'DELETE' }).catch(() => undefined);
        throw options.signal.reason;
      }
      response = await this.send(next, { signal: options.signal }, sql);
    }
    const infos = (columns ?? []).map((c) => ({ name: c.name, type: columnTypeOf(c.type) }));
    // Athena hands every value over as text (VarCharValue); so does this driver, before the shared conversion.
    return toColumnar(infos, rows.length, (i, j) => {
      const v = rows[i]![j];
      return v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }

  async testConnection(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {}

  private async send(url: string, init: RequestInit, sql: string): Promise<TrinoResponse> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, init);
      // 502/503/504 ask the client to retry the same URI (Trino's protocol); anything else non-OK is fatal.
      if ([502, 503, 504].includes(response.status) && attempt < 20) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (!response.ok) throw new TrinoQueryError(`HTTP ${response.status}: ${await response.text()}`, undefined, sql);
      return (await response.json()) as TrinoResponse;
    }
  }
}
