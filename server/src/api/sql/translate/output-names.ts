/**
 * Column names of a result as Cube's SQL API reports them: aliases as given, model columns by
 * their member name, unaliased aggregates as `SUM(ECommerce.count)` (the DataFusion form Cube uses).
 */
import type { Level } from './analyze-levels.ts';
import { resolveRef } from './analyze-levels.ts';
import type { SqlText } from './sql-text.ts';
import { names, type AstNode } from './walk-ast.ts';

/** Name per target of the level, or undefined when the target list has a `*` (names come from the evaluator). */
export function outputNames(level: Level, text: SqlText): (string | undefined)[] | undefined {
  spelled = (ref) => spelledFields(text, ref);
  const targets: AstNode[] = level.select.targetList ?? [];
  if (targets.some((t) => t.ResTarget?.val?.ColumnRef && names(t.ResTarget.val.ColumnRef.fields).at(-1) === '*')) return undefined;
  return targets.map((t) => targetName(level, t.ResTarget));
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
  const out: string[] = [];
  let i = text.tokenIndexAt(ref.location);
  for (let n = 0; n < folded.length && i < text.tokens.length; n++) {
    const raw = text.tokens[i]!.text;
    out.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw);
    i += 2; // skip the '.'
  }
  return out.length === folded.length && out.every((o, k) => o.toLowerCase() === folded[k]!.toLowerCase()) ? out : folded;
}

function defaultQualifier(level: Level, ref: AstNode): string | undefined {
  const resolved = resolveRef(level, ref);
  if (resolved) return resolved.scan.alias === resolved.scan.rangeVar.relname ? resolved.scan.table.name : resolved.scan.alias;
  const from: AstNode[] = level.select.fromClause ?? [];
  if (from.length === 1 && from[0]!.RangeSubselect) return from[0]!.RangeSubselect.alias?.aliasname;
  return undefined;
}
