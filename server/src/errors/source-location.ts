/**
 * Where an input came from: a model file, a landing file, a SQL file. Every error that names its
 * source points here (model problems, ingestion quarantine, pipeline SQL).
 */
export interface SourceLocation {
  readonly file: string; // path relative to its root, e.g. "cubes/fato_vendas.yml"
  readonly line: number; // 1-based
  readonly column?: number;
}
