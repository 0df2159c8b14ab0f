/**
 * The statement's clock bound into its parse tree (on the prepared copy), read in the session's
 * time zone as Postgres reads it: now(), current_timestamp, localtimestamp, current_date and the
 * special inputs 'now', 'today', 'tomorrow', 'yesterday' become constants, so filters on time
 * dimensions push down as date ranges and the sandbox (a DuckDB in UTC) never reads its own clock.
 *
 * Compared with a timestamp column, Postgres reads the column in the session's zone; the zone's
 * wall clock as a `timestamp` constant is therefore the same comparison, date cast and date_trunc.
 * A now() that is itself an output column stays a timestamptz (the instant, printed in the
 * session's zone on the way out). A special word counts only where Postgres reads it as a date or
 * time: cast to one, or compared with a time dimension (a text column compared with 'today' is text).
 * https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-DATETIME-SPECIAL-VALUES
 */
import type { ModelTable } from '../catalog/model-tables.ts';
import type { StatementClock } from '../session/session-clock.ts';
import { figureColumnName } from './output-names.ts';
import { funcCallNode, transformAst } from './transform-ast.ts';
import { names, walkAst, type AstNode } from './walk-ast.ts';

type FindTable = (schema: string | undefined, name: string) => ModelTable | undefined;

const NOW_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp']);
const TIMESTAMP_NOW = new Set(['SVFOP_CURRENT_TIMESTAMP', 'SVFOP_CURRENT_TIMESTAMP_N', 'SVFOP_LOCALTIMESTAMP', 'SVFOP_LOCALTIMESTAMP_N']);
const TIME_TYPES = new Set(['date', 'timestamp', 'timestamptz']);
const COMPARISONS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

const typeName = (name: string): AstNode => ({ names: [{ String: { sval: name } }], typemod: -1 });
const constant = (text: string, type: string): AstNode => ({ TypeCast: { arg: { A_Const: { sval: { sval: text } } }, typeName: typeName(type) } });
const wall = (iso: string): string => iso.replace('T', ' ');

/** Binds the clock into `select` in place (every level). `clock.used` tells whether anything did. */
export function bindClockValues(select: AstNode, clock: StatementClock, findTable: FindTable): void {
  // Output columns keep the names Postgres gives the expressions as written (`now`, `current_date`).
  const targets: AstNode[] = [];
  walkAst({ SelectStmt: select }, (type, body) => {
    if (type === 'SelectStmt') for (const t of body.targetList ?? []) if (t.ResTarget?.val && !t.ResTarget.name) targets.push(t.ResTarget);
  });
  const named = targets.map((t) => [t, figureColumnName(t.val)] as const);
  // An output column that is now() itself keeps its type, timestamptz.
  for (const target of select.targetList ?? []) {
    const val = target.ResTarget?.val;
    if (val && isNowCall(val) && !val.SQLValueFunction?.op?.startsWith('SVFOP_LOCAL')) target.ResTarget.val = constant(clock.utcNow(), 'timestamptz');
  }
  const timeColumns = timeColumnNames(select, findTable);
  transformAst({ SelectStmt: select }, (node) => {
    if (isNowCall(node)) return constant(wall(clock.localNow()), 'timestamp');
    if (node.SQLValueFunction?.op === 'SVFOP_CURRENT_DATE') return constant(clock.today(), 'date');
    const cast = node.TypeCast;
    const type = cast && names(cast.typeName?.names).at(-1)?.toLowerCase();
    if (cast && type && TIME_TYPES.has(type) && !cast.typeName.arrayBounds) {
      const special = specialValue(cast.arg, clock);
      // timestamptz too becomes the wall clock: compared with timestamps it is the same instant.
      if (special) return constant(type === 'date' ? special.slice(0, 10) : wall(special), type === 'date' ? 'date' : 'timestamp');
      // A timestamp (or text without an offset) read as a timestamptz is a wall clock of the session's zone.
      if (type === 'timestamptz' && !hasOffset(cast.arg)) {
        return funcCallNode('timezone', [{ A_Const: { sval: { sval: clock.zone() } } }, { TypeCast: { arg: cast.arg, typeName: typeName('timestamp') } }]);
      }
    }
    const expr = node.A_Expr;
    if (expr && ((expr.kind === 'AEXPR_OP' && COMPARISONS.has(names(expr.name).at(-1) ?? '')) || expr.kind === 'AEXPR_IN' || expr.kind.startsWith('AEXPR_BETWEEN') || expr.kind.startsWith('AEXPR_NOT_BETWEEN'))) {
      const resolve = (side: AstNode): AstNode => {
        const special = specialValue(side, clock);
        return special ? constant(wall(special), 'timestamp') : side;
      };
      if (isTimeColumn(expr.lexpr, timeColumns)) {
        if (expr.rexpr?.List) expr.rexpr.List.items = expr.rexpr.List.items.map(resolve);
        else if (expr.rexpr) expr.rexpr = resolve(expr.rexpr);
      } else if (expr.kind === 'AEXPR_OP' && isTimeColumn(expr.rexpr, timeColumns)) expr.lexpr = resolve(expr.lexpr);
    }
    return undefined;
  });
  for (const [target, name] of named) if (figureColumnName(target.val) !== name) target.name = name;
}

/** A text constant that names its own offset or zone ('… +00', '…Z', '… America/Sao_Paulo'). */
function hasOffset(node: AstNode | undefined): boolean {
  const text = node?.A_Const?.sval?.sval;
  return typeof text === 'string' && /(\d[+-]\d\d(:?\d\d)?|[zZ]|[A-Za-z]+\/[A-Za-z_]+|UTC|GMT)\s*$/.test(text.trim());
}

function isNowCall(node: AstNode): boolean {
  if (node.SQLValueFunction) return TIMESTAMP_NOW.has(node.SQLValueFunction.op);
  const call = node.FuncCall;
  return Boolean(call && !call.args?.length && names(call.funcname).length <= 2 && NOW_FUNCTIONS.has(names(call.funcname).at(-1)?.toLowerCase() ?? ''));
}

/** The special word a string constant holds, as the clock's wall-clock value. */
function specialValue(node: AstNode | undefined, clock: StatementClock): string | undefined {
  const text = node?.A_Const?.sval?.sval;
  return typeof text === 'string' ? clock.specialValue(text) : undefined;
}

/** Lower-cased names of the time dimensions of the model tables the statement reads. */
function timeColumnNames(select: AstNode, findTable: FindTable): Set<string> {
  const out = new Set<string>();
  walkAst(select, (type, body) => {
    if (type !== 'RangeVar') return;
    const table = findTable(body.schemaname, body.relname);
    for (const column of table?.columns ?? []) if (column.kind === 'dimension' && column.type === 'time') out.add(column.name.toLowerCase());
  });
  return out;
}

/** A reference to a time dimension, directly, truncated or cast. */
function isTimeColumn(node: AstNode | undefined, timeColumns: ReadonlySet<string>): boolean {
  if (!node) return false;
  if (node.ColumnRef) return timeColumns.has(names(node.ColumnRef.fields).at(-1)?.toLowerCase() ?? '');
  if (node.TypeCast) return isTimeColumn(node.TypeCast.arg, timeColumns);
  const call = node.FuncCall;
  return Boolean(call && names(call.funcname).at(-1)?.toLowerCase() === 'date_trunc' && isTimeColumn(call.args?.[1], timeColumns));
}
