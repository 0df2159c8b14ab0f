/** Counts of one source in one ingestion run; `read = accepted + quarantined` always holds. */
export interface SourceIngestReport {
  /** Bronze table fed (`erp_orders`, `order_status`, …). */
  readonly table: string;
  /** Files ingested (0 for database extracts) and files skipped because already ingested. */
  readonly files: number;
  readonly skippedFiles: number;
  /** Records read from the source, counted independently of the load (lines, Parquet row counts, fetched rows). */
  readonly read: number;
  readonly accepted: number;
  readonly quarantined: number;
  /** New `updated_at` watermark of a database extract (null for files, or when nothing new came). */
  readonly watermark: string | null;
}

/** Outcome of one ingestion run (one batch, one DuckDB transaction). */
export interface IngestReport {
  readonly batchId: string;
  readonly sources: readonly SourceIngestReport[];
  readonly seconds: number;
}

/** Progress of an ingestion run, one event per source started. */
export interface IngestProgress {
  readonly source: string;
  readonly done: number;
  readonly total: number;
}

/** What every loader needs to stamp bronze rows. */
export interface BatchContext {
  readonly batchId: string;
  /** `_ingested_at` of every row of the batch, as a SQL timestamp literal body. */
  readonly ingestedAt: string;
  readonly landingDir: string;
}
