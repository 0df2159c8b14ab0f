/**
 * Column names of a result as Cube's SQL API reports them: aliases as given, model columns by
 * their member name, unaliased aggregates as `SUM(ECommerce.count)` (the DataFusion form Cube uses).
 */
import type { Level } from './analyze-levels.ts';
import { resolveRef } from './analyze-levels.ts';
import type { SqlText } from './sql-text.ts';
import { names, type AstNode } from './walk-ast.ts';

/**
 * Name per target of the level, or undefined when the target list has a `*` the names cannot be
 * followed through (names come from the evaluator). `SELECT * FROM (subselect) alias` shows the
 * subselect's names, as Postgres does, so they are taken from that level (`levels`).
 */
export function outputNames(level: Level, text: SqlText, levels: readonly Level[] = []): (string | undefined)[] | undefined {
  spelled = (ref) => spelledFields(text, ref);
  const targets: AstNode[] = level.select.targetList ?? [];
  const isStar = (t: AstNode): boolean => Boolean(t.ResTarget?.val?.ColumnRef) && names(t.ResTarget.val.ColumnRef.fields).at(-1) === '*';
  if (!targets.some(isStar)) return targets.map((t) => targetName(level, t.ResTarget));
  const from: AstNode[] = level.select.fromClause ?? [];
  const inner = targets.length === 1 && from.length === 1 ? from[0]!.RangeSubselect?.subquery?.SelectStmt : undefined;
  const innerLevel = inner ? levels.find((l) => l.select === inner) : undefined;
  return innerLevel ? outputNames(innerLevel, text, levels) : undefined;
}

function targetName(level: Level, target: AstNode): string {
  if (target.name) return target.name;
  return expressionName(level, target.val ?? {});
}

/** Postgres' rule for unnamed targets, with Cube's spelling for aggregates over one column. */
function expressionName(level: Level, val: AstNode): string {
  if (val.ColumnRef) return columnName(level, val.ColumnRef);
  if (val.FuncCall) {
    const fn = names(val.FuncCall.funcname).at(-1) ?? '';
    const shown = fn.toLowerCase() === 'measure' ? 'measure' : fn.toUpperCase();
    const args: AstNode[] = val.FuncCall.args ?? [];
    if (args.length === 1 && args[0]!.ColumnRef) {
      const ref = args[0]!.ColumnRef;
      const fields = spelled(ref);
      const qualifier = fields.length >= 2 ? fields[fields.length - 2] : defaultQualifier(level, ref);
      const col = columnName(level, ref);
      return qualifier ? `${shown}(${qualifier}.${col})` : `${shown}(${col})`;
    }
    return fn.toLowerCase();
  }
  if (val.TypeCast) {
    const inner = val.TypeCast.arg ?? {};
    if (inner.ColumnRef || inner.FuncCall) return expressionName(level, inner);
    return names(val.TypeCast.typeName?.names).at(-1) ?? '?column?';
  }
  return '?column?';
}

function columnName(level: Level, ref: AstNode): string {
  return resolveRef(level, ref)?.column?.name ?? spelled(ref).at(-1) ?? '?column?';
}

/** Set per call of outputNames: identifiers as the user spelled them (Cube keeps the case of unquoted names). */
let spelled: (ref: AstNode) => string[] = (ref) => names(ref.fields);

function spelledFields(text: SqlText, ref: AstNode): string[] {
  const folded = names(ref.fields);
  if (typeof ref.location !== 'number') return folded;
  const out = text.nameChainAt(ref.location, folded.length);
  return out && out.every((o, k) => o.toLowerCase() === folded[k]!.toLowerCase()) ? out : folded;
}

function defaultQualifier(level: Level, ref: AstNode): string | undefined {
  const resolved = resolveRef(level, ref);
  if (resolved) return resolved.table.alias === resolved.table.rangeVar.relname ? resolved.table.table.name : resolved.table.alias;
  const from: AstNode[] = level.select.fromClause ?? [];
  if (from.length === 1 && from[0]!.RangeSubselect) return from[0]!.RangeSubselect.alias?.aliasname;
  return undefined;
}
