/**
 * Column names of a result as Postgres reports them, so clients that read columns by name (pg's
 * row objects, Npgsql's GetOrdinal, JDBC's findColumn) find them: aliases as given, otherwise
 * Postgres's FigureColname rule (src/backend/parser/parse_target.c) over the parse tree — a
 * column's own name, a function's name (`count`, `measure`, `upper`), a cast's type name when its
 * operand has none, `case`, `coalesce`, `array`… and `?column?` for anything else. A column of a
 * cube or view keeps its member's spelling (`rowId`), as Postgres would for the quoted name its
 * catalog holds; here unquoted names find it too, as in Cube.
 */
import { resolveRef, type Level } from './analyze-levels.ts';
import { names, type AstNode } from './walk-ast.ts';

/**
 * Name per target of the level, or undefined when the target list has a `*` the names cannot be
 * followed through (names come from the evaluator). `SELECT * FROM (subselect) alias` shows the
 * subselect's names, as Postgres does, so they are taken from that level (`levels`).
 */
export function outputNames(level: Level, levels: readonly Level[] = []): (string | undefined)[] | undefined {
  const targets: AstNode[] = level.select.targetList ?? [];
  const isStar = (t: AstNode): boolean => Boolean(t.ResTarget?.val?.ColumnRef) && names(t.ResTarget.val.ColumnRef.fields).at(-1) === '*';
  const memberName = (ref: AstNode): string | undefined => resolveRef(level, ref)?.column?.name ?? subselectName(level, levels, ref);
  if (!targets.some(isStar)) return targets.map((t) => t.ResTarget?.name ?? figureColumnName(t.ResTarget?.val ?? {}, memberName));
  const from: AstNode[] = level.select.fromClause ?? [];
  const inner = targets.length === 1 && from.length === 1 ? from[0]!.RangeSubselect?.subquery?.SelectStmt : undefined;
  const innerLevel = inner ? levels.find((l) => l.select === inner) : undefined;
  return innerLevel ? outputNames(innerLevel, levels) : undefined;
}

/** The spelling of the subselect output a reference reads (`rowId` of an inner level, found by `rowid`). */
function subselectName(level: Level, levels: readonly Level[], ref: AstNode): string | undefined {
  const wanted = names(ref.fields).at(-1)?.toLowerCase();
  for (const from of level.select.fromClause ?? []) {
    const inner = levels.find((l) => l.select === from.RangeSubselect?.subquery?.SelectStmt);
    const found = inner && outputNames(inner, levels)?.find((n) => n?.toLowerCase() === wanted);
    if (found) return found;
  }
  return undefined;
}

/** Postgres's name for an unaliased target expression; `columnName` names a column reference it resolves. */
export function figureColumnName(node: AstNode, columnName: (ref: AstNode) => string | undefined = () => undefined): string {
  return figure(node, columnName)?.name ?? '?column?';
}

/** A name and how strongly the expression gives it: 2 a real name, 1 a fallback (type name, `case`). */
interface Figured {
  readonly name: string;
  readonly strength: 1 | 2;
}

const SQL_VALUE_FUNCTION_NAMES: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

const strong = (name: string | undefined): Figured | undefined => (name === undefined ? undefined : { name, strength: 2 });

function figure(node: AstNode, columnName: (ref: AstNode) => string | undefined): Figured | undefined {
  const [type, body] = (Object.entries(node)[0] ?? []) as [string, AstNode];
  switch (type) {
    case 'ColumnRef': {
      const last = body.fields?.at(-1);
      return strong(last?.String ? (columnName(body) ?? last.String.sval) : undefined);
    }
    case 'A_Indirection': {
      const field = [...(body.indirection ?? [])].reverse().find((i: AstNode) => i.String);
      return field ? strong(field.String.sval) : figure(body.arg ?? {}, columnName);
    }
    case 'FuncCall':
      return strong(names(body.funcname).at(-1));
    case 'A_Expr':
      return body.kind === 'AEXPR_NULLIF' ? strong('nullif') : undefined;
    case 'TypeCast': {
      const inner = figure(body.arg ?? {}, columnName);
      if (inner && inner.strength === 2) return inner;
      const typeName = names(body.typeName?.names).at(-1);
      return typeName ? { name: typeName, strength: 1 } : inner;
    }
    case 'CollateClause':
      return figure(body.arg ?? {}, columnName);
    case 'GroupingFunc':
      return strong('grouping');
    case 'SubLink':
      if (body.subLinkType === 'EXISTS_SUBLINK') return strong('exists');
      if (body.subLinkType === 'ARRAY_SUBLINK') return strong('array');
      if (body.subLinkType === 'EXPR_SUBLINK' || body.subLinkType === 'MULTIEXPR_SUBLINK') return strong(body.subselect?.SelectStmt?.targetList?.[0]?.ResTarget?.name);
      return undefined;
    case 'CaseExpr': {
      const inner = figure(body.defresult ?? {}, columnName);
      return inner && inner.strength === 2 ? inner : { name: 'case', strength: 1 };
    }
    case 'A_ArrayExpr':
      return strong('array');
    case 'RowExpr':
      return strong('row');
    case 'CoalesceExpr':
      return strong('coalesce');
    case 'MinMaxExpr':
      return strong(body.op === 'IS_LEAST' ? 'least' : 'greatest');
    case 'SQLValueFunction':
      return strong(SQL_VALUE_FUNCTION_NAMES[body.op]);
    default:
      return undefined;
  }
}
