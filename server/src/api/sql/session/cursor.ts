/**
 * A cursor opened by `DECLARE` and read by `FETCH`/`MOVE`: the result of its query, held per
 * connection, and a position that moves as Postgres moves a portal's — before the first row (0),
 * on row 1…n, or after the last row (n + 1). Rows are kept as the query's text-format DataRow
 * messages; `FETCH` re-encodes them in the format its caller asks for.
 * https://www.postgresql.org/docs/current/sql-fetch.html
 */
import type { FieldDescription } from '../wire/backend-messages.ts';
import { rowCountOf, rowRange, type ResultRows } from '../wire/encode-rows.ts';
import { SqlStateError } from './sql-state-error.ts';

/** DECLARE's options (parsenodes.h CURSOR_OPT_*). */
export const CURSOR_OPTION = { binary: 0x1, scroll: 0x2, noScroll: 0x4, hold: 0x20 } as const;

/** FETCH's direction as the parser reports it; `count` counts rows (forward/backward) or names one (absolute/relative). */
export type FetchDirection = 'FETCH_FORWARD' | 'FETCH_BACKWARD' | 'FETCH_ABSOLUTE' | 'FETCH_RELATIVE';

export class Cursor {
  private position = 0;

  constructor(
    readonly name: string,
    /** The query's result columns, in text format. */
    readonly fields: readonly FieldDescription[],
    private readonly rows: ResultRows,
    /** CURSOR_OPTION bits. */
    readonly options: number,
    /** Opened inside the current transaction block (a ROLLBACK closes it even WITH HOLD). */
    readonly openedInTransaction: boolean,
  ) {}

  get holds(): boolean {
    return (this.options & CURSOR_OPTION.hold) !== 0;
  }

  get binary(): boolean {
    return (this.options & CURSOR_OPTION.binary) !== 0;
  }

  get rowCount(): number {
    return rowCountOf(this.rows);
  }

  /**
   * Moves as FETCH/MOVE with `direction` and `count` do and returns the 0-based indices of the rows
   * fetched, in the order they are returned. A NO SCROLL cursor refuses to go back (55000).
   */
  move(direction: FetchDirection, count: number): number[] {
    const n = this.rowCount;
    const from = this.position;
    let rows: number[] = [];
    if ((direction === 'FETCH_FORWARD' || direction === 'FETCH_BACKWARD') && count === 0) return this.move('FETCH_RELATIVE', 0);
    if (direction === 'FETCH_FORWARD') {
      const last = Math.min(from + count, n);
      for (let p = from + 1; p <= last; p++) rows.push(p);
      this.position = from + count <= n ? from + count : n + 1;
    } else if (direction === 'FETCH_BACKWARD') {
      const last = Math.max(from - count, 1);
      for (let p = Math.min(from - 1, n); p >= last; p--) rows.push(p);
      this.position = from - count >= 1 ? from - count : 0;
    } else {
      const target = direction === 'FETCH_ABSOLUTE' ? (count >= 0 ? count : n + 1 + count) : from + count;
      if (direction === 'FETCH_ABSOLUTE' && count === 0) this.position = 0;
      else if (target < 1) this.position = 0;
      else if (target > n) this.position = n + 1;
      else {
        this.position = target;
        rows = [target];
      }
    }
    if ((this.position < from || (rows.length > 0 && rows[0]! <= from)) && this.options & CURSOR_OPTION.noScroll) {
      this.position = from;
      throw new SqlStateError('55000', 'cursor can only scan forward: declare it with SCROLL to fetch backward');
    }
    return rows.map((p) => p - 1);
  }

  /** The DataRow messages of rows `indices` (as `move` returned them), in text format; runs of rows may share a buffer. */
  dataRows(indices: readonly number[]): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < indices.length) {
      let j = i + 1;
      while (j < indices.length && indices[j] === indices[j - 1]! + 1) j++;
      out.push(...rowRange(this.rows, indices[i]!, indices[j - 1]! + 1));
      i = j;
    }
    return out;
  }

  /** The DataRow message of one row, in text format. */
  dataRow(index: number): Buffer {
    return Buffer.concat(rowRange(this.rows, index, index + 1) as Buffer[]);
  }
}
