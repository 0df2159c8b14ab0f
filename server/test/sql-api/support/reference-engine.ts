/**
 * A small SemanticEngine over DuckDB for the SQL API suites, used until the real engine
 * (server/src/engine) is wired in: it supports what the suites query (single-cube measures of
 * type count/sum/avg/min/max/count_distinct, dimensions, time dimensions with granularity,
 * the common filter operators, ungrouped, order, limit, offset) and formats values as Cube does.
 * The SQL API never sees it as anything but the SemanticEngine contract.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LoadResponse, RequestContext, SemanticEngine } from '../../../src/engine/engine-types.ts';
import type { Cube, SemanticModel, SqlTemplate } from '../../../src/model/model-types.ts';
import type { CubeQuery, Filter } from '../../../src/query/query-types.ts';
import type { ColumnInfo } from '../../../src/drivers/driver-types.ts';
import { UserError } from '../../../src/errors/user-error.ts';
import type { MemberVisibilityMask } from '../../../src/security/member-visibility.ts';

export class ReferenceEngine implements SemanticEngine {
  /** Every query the engine received, so tests can check what the SQL API asked for. */
  readonly queries: CubeQuery[] = [];

  constructor(
    private readonly model: SemanticModel,
    private readonly db: DuckDBConnection,
  ) {}

  currentModel(): SemanticModel {
    return this.model;
  }

  async load(query: CubeQuery, ctx: RequestContext): Promise<LoadResponse> {
    void ctx;
    this.queries.push(query);
    const { sql, params, keys } = this.toSql(query);
    const reader = await this.db.runAndReadAll(sql, params as never);
    const raw = reader.getColumnsJson() as unknown[][];
    const columns: ColumnInfo[] = keys.map((k) => ({ name: k.key, type: k.type }));
    const data = keys.map((k, i) => (k.type === 'time' ? raw[i]!.map((v) => (v === null ? null : isoLocal(String(v)))) : raw[i]!));
    return {
      queryType: 'regularQuery',
      results: [
        {
          query: query as Record<string, unknown>,
          columns,
          data,
          rowCount: reader.currentRowCount,
          annotation: { measures: {}, dimensions: {}, segments: {}, timeDimensions: {} },
          lastRefreshTime: new Date().toISOString(),
          usedPreAggregations: {},
          dataSource: 'default',
          dbType: 'duckdb',
          external: false,
          slowQuery: false,
        },
      ],
    };
  }

  sql(): never {
    throw new Error('not used by the SQL API');
  }
  dryRun(): never {
    throw new Error('not used by the SQL API');
  }
  async meta(): Promise<Record<string, unknown>> {
    return {};
  }
  /** No access policies here: every member is visible. */
  async visibleMembers(): Promise<MemberVisibilityMask> {
    return { key: '*', isVisible: () => true };
  }

  private cubeOf(path: string): [Cube, string] {
    const [cubeName, member] = path.split('.') as [string, string];
    const cube = this.model.cubes[cubeName];
    if (!cube) throw new UserError('UNKNOWN_MEMBER', `unknown cube in ${path}`);
    return [cube, member];
  }

  private render(t: SqlTemplate | undefined, cube: Cube): string {
    return (t ?? [])
      .map((p) => {
        if (p.kind === 'text') return p.text;
        if (p.kind === 'cube') return 't';
        if (p.kind === 'member') {
          const [c, m] = p.path.includes('.') ? this.cubeOf(p.path) : [cube, p.path];
          return `(${this.render(c.dimensions[m]?.sql ?? c.measures[m]?.sql, c)})`;
        }
        throw new Error('security context not supported');
      })
      .join('');
  }

  private toSql(q: CubeQuery) {
    const params: unknown[] = [];
    const select: string[] = [];
    const group: string[] = [];
    const keys: { key: string; type: ColumnInfo['type'] }[] = [];
    let cube: Cube | undefined;
    const dimExpr = (path: string): string => {
      const [c, m] = this.cubeOf(path);
      cube = c;
      const d = c.dimensions[m];
      if (!d) throw new UserError('UNKNOWN_MEMBER', `unknown dimension ${path}`);
      return this.render(d.sql, c);
    };
    for (const path of q.dimensions ?? []) {
      const [c, m] = this.cubeOf(path);
      select.push(dimExpr(path));
      group.push(String(select.length));
      const type = c.dimensions[m]!.type;
      keys.push({ key: path, type: type === 'number' ? 'number' : type === 'time' ? 'time' : type === 'boolean' ? 'boolean' : 'string' });
    }
    for (const td of q.timeDimensions ?? []) {
      if (!td.granularity) continue;
      select.push(`date_trunc('${td.granularity}', ${dimExpr(td.dimension)})`);
      group.push(String(select.length));
      keys.push({ key: `${td.dimension}.${td.granularity}`, type: 'time' });
    }
    for (const path of q.measures ?? []) {
      const [c, m] = this.cubeOf(path);
      cube = c;
      const measure = c.measures[m]!;
      const expr = measure.sql ? this.render(measure.sql, c) : '*';
      const agg = q.ungrouped ? (measure.type === 'count' ? '1' : expr) : aggregate(measure.type, expr);
      select.push(agg);
      keys.push({ key: path, type: measure.type === 'count' || measure.type === 'count_distinct' ? 'integer' : 'number' });
    }
    const where: string[] = [];
    const addFilter = (f: Filter): string => {
      if ('and' in f) return `(${f.and.map(addFilter).join(' AND ')})`;
      if ('or' in f) return `(${f.or.map(addFilter).join(' OR ')})`;
      const e = dimExpr(f.member ?? f.dimension!);
      const v = f.values ?? [];
      const p = (x: unknown) => {
        params.push(x);
        return `$${params.length}`;
      };
      switch (f.operator) {
        case 'equals':
          return `${e} IN (${v.map(p).join(', ')})`;
        case 'notEquals':
          return `(${e} NOT IN (${v.map(p).join(', ')}) OR ${e} IS NULL)`;
        case 'gt':
          return `${e} > CAST(${p(v[0])} AS DOUBLE)`;
        case 'gte':
          return `${e} >= CAST(${p(v[0])} AS DOUBLE)`;
        case 'lt':
          return `${e} < CAST(${p(v[0])} AS DOUBLE)`;
        case 'lte':
          return `${e} <= CAST(${p(v[0])} AS DOUBLE)`;
        case 'set':
          return `${e} IS NOT NULL`;
        case 'notSet':
          return `${e} IS NULL`;
        case 'afterOrOnDate':
          return `${e} >= CAST(${p(v[0])} AS TIMESTAMP)`;
        case 'beforeOrOnDate':
          return `${e} <= CAST(${p(v[0])} AS TIMESTAMP)`;
        case 'inDateRange':
          return `${e} BETWEEN CAST(${p(v[0])} AS TIMESTAMP) AND CAST(${p(v[1])} AS TIMESTAMP)`;
        default:
          throw new UserError('INVALID_OPERATOR', `operator ${f.operator} not supported by the reference engine`);
      }
    };
    for (const f of q.filters ?? []) where.push(addFilter(f));
    for (const td of q.timeDimensions ?? []) {
      if (td.dateRange && Array.isArray(td.dateRange)) where.push(addFilter({ member: td.dimension, operator: 'inDateRange', values: [...td.dateRange] }));
    }
    if (!cube) throw new UserError('QUERY_INVALID', 'query has no members');
    const order = Array.isArray(q.order) ? q.order : Object.entries(q.order ?? {});
    const orderSql = order.map(([key, dir]) => {
      const i = keys.findIndex((k) => k.key === key || k.key.startsWith(`${key}.`));
      return `${i + 1} ${dir === 'desc' ? 'DESC' : 'ASC'}`;
    });
    const sql = [
      `SELECT ${select.join(', ')} FROM ${this.render(cube.sqlTable, cube)} AS t`,
      where.length ? `WHERE ${where.join(' AND ')}` : '',
      !q.ungrouped && group.length ? `GROUP BY ${group.join(', ')}` : '',
      orderSql.length ? `ORDER BY ${orderSql.join(', ')}` : keys.length ? `ORDER BY ${keys.map((_, i) => i + 1).join(', ')}` : '',
      `LIMIT ${q.limit ?? 10000}`,
      q.offset ? `OFFSET ${q.offset}` : '',
    ].join(' ');
    return { sql, params, keys };
  }
}

function aggregate(type: string, expr: string): string {
  switch (type) {
    case 'count':
      return 'count(*)';
    case 'count_distinct':
      return `count(DISTINCT ${expr})`;
    case 'sum':
      return `sum(${expr})`;
    case 'avg':
      return `avg(${expr})`;
    case 'min':
      return `min(${expr})`;
    case 'max':
      return `max(${expr})`;
    default:
      return `sum(${expr})`;
  }
}

function isoLocal(v: string): string {
  const [d, t = '00:00:00'] = v.replace('T', ' ').split(' ');
  const [hms, frac = ''] = t!.split('.');
  return `${d}T${hms}.${frac.padEnd(3, '0').slice(0, 3)}`;
}
