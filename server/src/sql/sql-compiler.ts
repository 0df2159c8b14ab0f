/**
 * The visitor that turns SQL nodes into text. Dialects subclass it and override the few methods
 * where their SQL differs (quoting, placeholders, time functions). Every value becomes a bound
 * parameter; only identifiers, numbers the engine produced and engine-made timestamps are inlined.
 */
import type { CastType, CustomBucketSize, ExpressionNode, TimeUnit } from './expression-node.ts';
import type { FromItem, JoinNode, SelectQueryNode } from './select-query-node.ts';
import type { CompiledSql, DialectCapabilities } from './dialect.ts';

export abstract class SqlCompiler {
  protected params: unknown[] = [];

  constructor(protected readonly capabilities: DialectCapabilities) {}

  compile(query: SelectQueryNode): CompiledSql {
    this.params = [];
    const sql = this.visitSelect(query);
    return { sql, params: this.params };
  }

  abstract quoteIdentifier(name: string): string;
  protected abstract placeholder(index: number): string;
  protected abstract visitTimeTrunc(unit: TimeUnit, inner: string): string;
  protected abstract visitToLocalTime(inner: string, timezone: string): string;
  protected abstract visitIntervalAdd(inner: string, amount: number, unit: TimeUnit): string;
  protected abstract visitCustomTrunc(inner: string, origin: string, bucket: CustomBucketSize): string;

  protected visitApproxCountDistinct(inner: string): string {
    return `approx_count_distinct(${inner})`;
  }

  protected castTypeName(type: CastType): string {
    const names: Record<CastType, string> = {
      timestamp: 'TIMESTAMP', string: 'VARCHAR', double: 'DOUBLE', bigint: 'BIGINT', boolean: 'BOOLEAN', decimal: 'DECIMAL(38,10)',
    };
    return names[type];
  }

  protected visitTimestampLiteral(value: string): string {
    return `TIMESTAMP '${value.replace('T', ' ')}'`;
  }

  /** A local timestamp value ('2024-01-01T00:00:00.000') bound as a parameter and read as TIMESTAMP. */
  protected visitTimestampParam(value: string): string {
    return `CAST(${this.visitParam(value)} AS ${this.castTypeName('timestamp')})`;
  }

  /** Quarters and weeks as months and days: every engine adds those. */
  protected normalizeInterval(amount: number, unit: TimeUnit): { amount: number; unit: TimeUnit } {
    if (unit === 'quarter') return { amount: amount * 3, unit: 'month' };
    if (unit === 'week') return { amount: amount * 7, unit: 'day' };
    return { amount, unit };
  }

  protected visitParam(value: unknown): string {
    this.params.push(value);
    return this.placeholder(this.params.length);
  }

  protected visitSelect(q: SelectQueryNode): string {
    const parts: string[] = [];
    if (q.with.length > 0) {
      parts.push(`WITH ${q.with.map((c) => `${this.quoteIdentifier(c.name)} AS (\n${this.visitSelect(c.query)}\n)`).join(',\n')}`);
    }
    const columns = q.columns.map((c) => (c.alias ? `${this.visit(c.expr)} ${this.quoteIdentifier(c.alias)}` : this.visit(c.expr)));
    parts.push(`SELECT${q.distinct ? ' DISTINCT' : ''}\n  ${columns.join(',\n  ')}`);
    if (q.from) parts.push(`FROM ${this.visitFrom(q.from)}`);
    for (const join of q.joins) parts.push(this.visitJoin(join));
    if (q.where) parts.push(`WHERE ${this.visit(q.where)}`);
    if (q.groupBy.length > 0) parts.push(`GROUP BY ${q.groupBy.map((g) => this.visit(g)).join(', ')}`);
    if (q.having) parts.push(`HAVING ${this.visit(q.having)}`);
    if (q.orderBy.length > 0) parts.push(`ORDER BY ${q.orderBy.map((o) => this.visitOrder(o.expr, o.direction)).join(', ')}`);
    const limit = q.limit !== undefined ? [`LIMIT ${Math.trunc(q.limit)}`] : [];
    const offset = q.offset !== undefined && q.offset > 0 ? [`OFFSET ${Math.trunc(q.offset)}`] : [];
    parts.push(...(this.capabilities.offsetBeforeLimit ? [...offset, ...limit] : [...limit, ...offset]));
    return parts.join('\n');
  }

  /** Postgres places NULLs last ascending and first descending; Cube users expect that order. */
  protected visitOrder(e: ExpressionNode, direction: 'asc' | 'desc'): string {
    const nulls = this.capabilities.supportsNullsOrdering ? (direction === 'asc' ? ' NULLS LAST' : ' NULLS FIRST') : '';
    return `${this.visit(e)} ${direction.toUpperCase()}${nulls}`;
  }

  protected visitFrom(item: FromItem): string {
    const alias = this.quoteIdentifier(item.alias);
    switch (item.kind) {
      case 'table':
        return `${this.visit(item.sql)} AS ${alias}`;
      case 'subquery':
        return `(\n${this.visitSelect(item.query)}\n) AS ${alias}`;
      case 'cteRef':
        return `${this.quoteIdentifier(item.name)} AS ${alias}`;
      case 'values':
        return this.visitValues(item.rows, item.columns, alias);
    }
  }

  protected visitValues(rows: readonly (readonly ExpressionNode[])[], columns: readonly string[], alias: string): string {
    const body = rows.map((r) => `(${r.map((e) => this.visit(e)).join(', ')})`).join(', ');
    return `(VALUES ${body}) AS ${alias} (${columns.map((c) => this.quoteIdentifier(c)).join(', ')})`;
  }

  protected visitJoin(join: JoinNode): string {
    const type = join.type === 'FULL' ? 'FULL OUTER' : join.type;
    const on = join.on ? ` ON ${this.visit(join.on)}` : '';
    return `${type} JOIN ${this.visitFrom(join.item)}${on}`;
  }

  visit(e: ExpressionNode): string {
    switch (e.kind) {
      case 'raw':
        return e.parts.map((p) => (typeof p === 'string' ? p : this.visit(p))).join('');
      case 'column':
        return e.table ? `${this.quoteIdentifier(e.table)}.${this.quoteIdentifier(e.column)}` : this.quoteIdentifier(e.column);
      case 'param':
        return this.visitParam(e.value);
      case 'literal':
        return e.value === null ? 'NULL' : String(e.value);
      case 'timestampLiteral':
        return this.visitTimestampLiteral(e.value);
      case 'star':
        return '*';
      case 'func':
        return `${e.name}(${e.distinct ? 'DISTINCT ' : ''}${e.args.map((a) => this.visit(a)).join(', ')})`;
      case 'binary':
        return `${this.operand(e.left)} ${e.op} ${this.operand(e.right)}`;
      case 'logical':
        return `(${e.items.map((i) => this.operand(i)).join(` ${e.op} `)})`;
      case 'not':
        return `NOT (${this.visit(e.expr)})`;
      case 'isNull':
        return `(${this.operand(e.expr)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
      case 'in':
        return `${this.operand(e.expr)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map((i) => this.visit(i)).join(', ')})`;
      case 'like':
        return this.visitLike(this.operand(e.expr), e.pattern.map((p) => this.visit(p)), e.negated, e.escape);
      case 'case':
        return this.visitCase(e);
      case 'cast':
        if (e.type === 'timestamp' && e.expr.kind === 'param' && typeof e.expr.value === 'string') return this.visitTimestampParam(e.expr.value);
        return `CAST(${this.visit(e.expr)} AS ${this.castTypeName(e.type)})`;
      case 'timeTrunc':
        return this.visitTimeTrunc(e.unit, this.visit(e.expr));
      case 'toLocalTime':
        return this.visitToLocalTime(this.visit(e.expr), e.timezone);
      case 'intervalAdd':
        return this.visitIntervalAdd(this.operand(e.expr), e.amount, e.unit);
      case 'approxCountDistinct':
        return this.visitApproxCountDistinct(this.visit(e.expr));
      case 'customTrunc':
        return this.visitCustomTrunc(this.visit(e.expr), e.origin, e.bucket);
      case 'window':
        return `${this.visit(e.func)} OVER (${e.partitionBy.length > 0 ? `PARTITION BY ${e.partitionBy.map((p) => this.visit(p)).join(', ')}` : ''})`;
    }
  }

  /**
   * An expression placed next to an operator (`AND`/`OR`, a comparison, `IS NULL`, `IN`, `LIKE`,
   * `+ INTERVAL`). Raw model SQL is wrapped in parentheses unless it is one term (a name, a literal,
   * a call, a parenthesized group): a measure filter `a OR NOT b` AND-ed with others must stay one
   * predicate, not bind to its neighbours by precedence. Nodes the engine built render their own
   * grouping.
   */
  protected operand(e: ExpressionNode): string {
    const text = this.visit(e);
    return e.kind === 'raw' && !isOneTerm(text) ? `(${text})` : text;
  }

  protected visitCase(e: Extract<ExpressionNode, { kind: 'case' }>): string {
    const whens = e.whens.map((w) => `WHEN ${this.visit(w.when)} THEN ${this.visit(w.then)}`).join(' ');
    return `CASE ${whens}${e.else ? ` ELSE ${this.visit(e.else)}` : ''} END`;
  }

  /**
   * `ESCAPE '<c>'` has the same form in DuckDB, Spark SQL and Trino; the character is never a
   * backslash, which Spark's string literals would read as an escape of the closing quote.
   */
  protected visitLike(inner: string, pattern: readonly string[], negated: boolean, escape?: string): string {
    const joined = pattern.join(' || ');
    const escapeClause = escape === undefined ? '' : ` ESCAPE '${escape}'`;
    if (this.capabilities.supportsIlike) return `${inner} ${negated ? 'NOT ILIKE' : 'ILIKE'} ${joined}${escapeClause}`;
    return `LOWER(${inner}) ${negated ? 'NOT LIKE' : 'LIKE'} LOWER(${joined})${escapeClause}`;
  }

  /** A timezone name is validated by the normalizer (IANA); quote it as a string literal safely. */
  protected quoteTimezone(timezone: string): string {
    if (!/^[A-Za-z0-9_+\-/]+$/.test(timezone)) throw new Error(`internal: unsafe time zone ${timezone}`);
    return `'${timezone}'`;
  }
}

const NAME = String.raw`(?:"(?:[^"]|"")*"|\`(?:[^\`]|\`\`)*\`|[A-Za-z_][A-Za-z0-9_$]*)`;
const ONE_TERM = new RegExp(String.raw`^(?:${NAME}(?:\.${NAME})*|\d+(?:\.\d+)?|'(?:[^']|'')*'|\$\d+|\?)$`);
const CALL_HEAD = new RegExp(String.raw`^(?:${NAME}(?:\.${NAME})*)?\(`);

/**
 * True when SQL text is a single term no operator can split: a (qualified) name, a number, a
 * string, a placeholder, or a call / parenthesized group whose first `(` closes at the very end.
 * Unsure means false, and the caller adds parentheses, which are always correct.
 */
export function isOneTerm(sql: string): boolean {
  const text = sql.trim();
  if (ONE_TERM.test(text)) return true;
  const head = CALL_HEAD.exec(text);
  if (!head) return false;
  let depth = 0;
  let quote: string | undefined;
  for (let i = head[0].length - 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) return i === text.length - 1;
    }
  }
  return false;
}
