/**
 * Decides how one SQL statement is answered: session commands in our layer, read-only catalog
 * SELECTs by the catalog database (PGlite), SELECTs over model tables by the semantic engine,
 * everything else refused with a SQLSTATE. Parsing uses the real PostgreSQL parser (libpg-query).
 */
import { parseSync } from 'libpg-query';
import { walkAst, names, type AstNode } from './walk-ast.ts';
import { foldLiteralLists, type FoldedList } from './fold-literal-lists.ts';
import { quoteKeywordListItems } from './quote-keyword-identifiers.ts';
import { findRefusedFunction } from '../sandbox/find-refused-function.ts';
import { ERROR_CODES } from '../../../errors/error-codes.ts';

export type ClassifiedStatement =
  | { readonly kind: 'empty' }
  | { readonly kind: 'session'; readonly type: string; readonly node: AstNode; readonly sql: string }
  | { readonly kind: 'catalog'; readonly sql: string; /** Parse tree of `sql` (undefined when it was folded). */ readonly stmt?: AstNode }
  | {
      readonly kind: 'model';
      readonly sql: string;
      /** The text the parse tree refers to (long IN lists folded into placeholders). */
      readonly text: string;
      readonly lists: ReadonlyMap<string, FoldedList>;
      readonly select: AstNode;
      readonly paramCount: number;
    }
  | { readonly kind: 'refused'; readonly sqlState: string; readonly message: string }
  /** DECLARE … CURSOR FOR and FETCH/MOVE, answered by session/cursor-commands.ts. */
  | { readonly kind: 'cursor'; readonly type: 'DeclareCursorStmt' | 'FetchStmt'; readonly node: AstNode; readonly sql: string };

/** Functions that could read files, block the shared catalog session or change its state. */
const REFUSED_FUNCTIONS = /^(set_config|pg_sleep.*|pg_read_.*|pg_ls_.*|pg_stat_file|lo_.*|dblink.*|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_advisory.*|pg_try_advisory.*|nextval|setval|pg_notify|txid_current|pg_current_xact_id|pg_logical_.*|pg_create_.*|pg_drop_.*|query_to_xml.*|table_to_xml.*|database_to_xml.*|cursor_to_xml|pg_file_.*|copy)$/i;

const SESSION_NODES = new Set(['VariableSetStmt', 'VariableShowStmt', 'TransactionStmt', 'DiscardStmt', 'DeallocateStmt', 'ClosePortalStmt']);
const WRITE_NODES = /^(Insert|Update|Delete|Merge|Create.*|Alter.*|Drop.*|Truncate|Grant.*|Rename|Comment|Index|View|CreateTableAs|Refresh.*|Vacuum|Cluster|Reindex|Lock|Copy|Do|Call|Execute|Prepare|Declare.*|Fetch|Listen|Unlisten|Notify|Load|Import.*|Reassign.*|Sec.*|Define|CompositeType|Rule|Cluster|Check.*)Stmt$/;

/** One statement of a (possibly multi-statement) text, with its own SQL. */
export interface SplitStatement {
  readonly sql: string;
  readonly stmt: AstNode | undefined;
  /** When long IN lists were folded before parsing: the parsed text and the lists. */
  readonly folded?: { readonly text: string; readonly lists: ReadonlyMap<string, FoldedList> };
}

/**
 * Splits text into statements with the real parser; throws SqlError on a syntax error.
 * Node locations must be relative to each statement's own text (rewrites splice it), so a
 * statement that does not start the text is parsed again on its own.
 */
export function splitStatements(text: string): SplitStatement[] {
  if (text === '') return []; // an empty query string (EmptyQueryResponse); the parser refuses it
  try {
    return splitParsed(text);
  } catch (error) {
    const quoted = quoteKeywordListItems(text);
    if (quoted === undefined) throw error;
    try {
      return splitParsed(quoted);
    } catch {
      throw error; // the original syntax error is the one to report
    }
  }
}

function splitParsed(text: string): SplitStatement[] {
  const folded = foldLiteralLists(text);
  if (folded.lists.size > 0) {
    const own = parseSync(folded.text) as { stmts?: { stmt?: AstNode }[] };
    if (own.stmts?.length === 1) return [{ sql: text, stmt: own.stmts[0]!.stmt, folded }];
  }
  const result = parseSync(text) as { stmts?: { stmt?: AstNode; stmt_location?: number; stmt_len?: number }[] };
  const stmts = result.stmts ?? [];
  if (stmts.length === 1 && !stmts[0]!.stmt_location) return [{ sql: text, stmt: stmts[0]!.stmt }];
  const bytes = Buffer.from(text, 'utf8');
  return stmts.map((s) => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length;
    const sql = bytes.subarray(start, end).toString('utf8');
    if (!s.stmt) return { sql, stmt: undefined };
    const own = parseSync(sql) as { stmts?: { stmt?: AstNode }[] };
    return { sql, stmt: own.stmts?.[0]?.stmt };
  });
}

/**
 * Classifies a parsed statement. `isModelTable(name)` answers for relation names (lower-cased
 * unless quoted) whether they name a cube or view.
 */
export function classifyStatement(split: SplitStatement, isModelTable: (schema: string | undefined, name: string) => boolean): ClassifiedStatement {
  const { stmt, sql } = split;
  if (!stmt) return { kind: 'empty' };
  const [type, node] = Object.entries(stmt)[0] as [string, AstNode];
  if (SESSION_NODES.has(type)) return { kind: 'session', type, node, sql };
  if (type === 'DeclareCursorStmt' || type === 'FetchStmt') return { kind: 'cursor', type, node, sql };
  if (type === 'SelectStmt') return classifySelect(node, split, isModelTable);
  if (WRITE_NODES.test(type)) {
    return { kind: 'refused', sqlState: '25006', message: `cannot execute ${commandName(type)} in a read-only transaction: the SQL API only reads the semantic model` };
  }
  return { kind: 'refused', sqlState: '0A000', message: `${commandName(type)} is not supported by the SQL API` };
}

function classifySelect(select: AstNode, split: SplitStatement, isModelTable: (schema: string | undefined, name: string) => boolean): ClassifiedStatement {
  const sql = split.sql;
  const cteNames = new Set<string>();
  let modelTables = 0;
  let otherTables = 0;
  let refused: ClassifiedStatement | undefined;
  let paramCount = 0;
  if (select.intoClause) return { kind: 'refused', sqlState: '25006', message: 'SELECT INTO is not allowed: the SQL API is read-only' };
  if (select.lockingClause) return { kind: 'refused', sqlState: '25006', message: 'SELECT … FOR UPDATE/SHARE is not allowed: the SQL API is read-only' };
  walkAst(select, (type, body) => {
    if (type === 'CommonTableExpr') {
      cteNames.add(body.ctename);
      const [innerType] = Object.keys(body.ctequery ?? {});
      if (innerType && innerType !== 'SelectStmt') refused = { kind: 'refused', sqlState: '25006', message: 'data-modifying WITH queries are not allowed: the SQL API is read-only' };
    } else if (type === 'RangeVar') {
      const schema = body.schemaname as string | undefined;
      if (!schema && cteNames.has(body.relname)) return;
      if (isModelTable(schema, body.relname)) modelTables++;
      else otherTables++;
    } else if (type === 'FuncCall') {
      const fn = names(body.funcname).at(-1) ?? '';
      if (REFUSED_FUNCTIONS.test(fn)) refused = { kind: 'refused', sqlState: '42501', message: `function ${fn}() is not allowed in the SQL API` };
    } else if (type === 'ParamRef') {
      paramCount = Math.max(paramCount, body.number ?? 0);
    } else if (type === 'LockingClause' || type === 'IntoClause') {
      refused = { kind: 'refused', sqlState: '25006', message: 'the SQL API is read-only' };
    }
  });
  if (refused) return refused;
  if (modelTables > 0) {
    // What runs after the semantic query (the sandbox) may call only allow-listed functions and
    // read only the model tables: table functions (read_text, glob, range…) are refused up front.
    const refusal = findRefusedFunction(select);
    if (refusal) return { kind: 'refused', sqlState: ERROR_CODES[refusal.code].sqlState, message: refusal.message };
  }
  if (modelTables > 0 && otherTables > 0) {
    return { kind: 'refused', sqlState: '0A000', message: 'queries may not mix model tables (cubes, views) with other tables' };
  }
  if (modelTables > 0) return { kind: 'model', sql, text: split.folded?.text ?? sql, lists: split.folded?.lists ?? new Map(), select, paramCount };
  return { kind: 'catalog', sql, stmt: split.folded ? undefined : split.stmt };
}

function commandName(type: string): string {
  return type
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}
