/** A layer of the SQL transformations under notebooks/sql, run in this order. */
export type TransformLayer = 'silver' | 'gold';

/** Progress of the runner: one event after each SQL file. */
export interface TransformProgressEvent {
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

/** What runTransformations needs: the notebooks/sql folder and, optionally, which layers. */
export interface TransformOptions {
  readonly sqlDir: string;
  readonly layers?: readonly TransformLayer[];
  readonly onProgress?: (event: TransformProgressEvent) => void;
}

/** Time and statement count of one SQL file, as run. */
export interface TransformFileReport {
  readonly file: string; // relative to sqlDir, e.g. "gold/07_fato_vendas.sql"
  readonly statements: number;
  readonly ms: number;
}

/**
 * The outcome of a committed run: per file timing, and the row count of every table the files
 * build (tables named in their `CREATE TABLE` statements, internal `_`-prefixed ones excluded).
 */
export interface TransformReport {
  readonly files: readonly TransformFileReport[];
  readonly tables: readonly { readonly table: string; readonly rows: number }[];
  readonly totalMs: number;
}
