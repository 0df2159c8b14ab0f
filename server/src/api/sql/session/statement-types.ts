/**
 * Prepared statements, portals and execution results of the SQL API.
 */
import type { FieldDescription } from '../wire/backend-messages.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import type { ClassifiedStatement } from '../translate/classify-statement.ts';
import type { ResultRows } from '../wire/encode-rows.ts';
import type { StreamedRows } from '../wire/streamed-rows.ts';

/** A statement prepared by Parse (or implicitly by a simple Query). */
export interface PreparedStatement {
  readonly name: string;
  readonly sql: string;
  /** Declared by the client in Parse (0 = unspecified, to be inferred). */
  readonly declaredParamTypes: readonly number[];
  readonly statement: ClassifiedStatement;
  /** Inferred and declared types merged; declared ones win. Set after the first Describe. */
  paramTypes?: readonly number[];
}

/** A bound statement (Bind) with its parameter values and result formats. */
export interface Portal {
  readonly name: string;
  readonly prepared: PreparedStatement;
  readonly rawParams: readonly (Buffer | null)[];
  readonly paramFormats: readonly number[];
  readonly params: readonly ParamValue[];
  readonly resultFormats: readonly number[];
  /** Computed at the first Describe or Execute, then consumed by Execute in row-limited chunks. */
  result?: StatementResult;
  position: number;
}

/**
 * The outcome of one statement: fields (undefined when it returns no rows), DataRow messages
 * already encoded in the formats the client asked for (a list of messages, or a model result
 * encoded into large chunks), and the command tag.
 */
export interface StatementResult {
  readonly fields?: readonly FieldDescription[];
  /** Encoded rows, or rows encoded as they stream (the tag then gets the count once all are sent). */
  readonly rows: ResultRows | StreamedRows;
  readonly tag: string;
  /** Messages to send after CommandComplete (ParameterStatus after SET). */
  readonly after?: readonly Buffer[];
}

/** Per-column format from Bind's result-format codes (none = text, one = all). */
export function formatFor(resultFormats: readonly number[], column: number): number {
  if (resultFormats.length === 0) return 0;
  if (resultFormats.length === 1) return resultFormats[0]!;
  return resultFormats[column] ?? 0;
}
