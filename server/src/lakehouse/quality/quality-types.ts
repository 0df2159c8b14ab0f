/** The lakehouse layers that have declared checks. */
export type QualityLayer = 'bronze' | 'silver' | 'gold';

/** A foreign key to verify: every non-null `column` value exists in `table.refColumn`. */
export interface ReferenceCheck {
  readonly column: string;
  readonly table: string; // schema-qualified, e.g. "gold.dim_produto"
  readonly refColumn: string;
}

/**
 * Declared checks of one table. `key` is the SQL expression shown as the sample of a failing row.
 * `rules` are per-row conditions that must hold; `queries` return one row per problem in a
 * column named `sample` (for checks across rows or tables).
 */
export interface TableChecks {
  readonly table: string;
  readonly key: string;
  readonly notNull?: readonly string[];
  readonly unique?: readonly (readonly string[])[];
  readonly references?: readonly ReferenceCheck[];
  readonly acceptedValues?: readonly { readonly column: string; readonly values: readonly string[] }[];
  readonly rules?: readonly { readonly name: string; readonly condition: string }[];
  readonly queries?: readonly { readonly name: string; readonly sql: string }[];
}

/** Outcome of one check: how many rows fail and up to five samples of them. */
export interface CheckResult {
  readonly table: string;
  readonly check: string;
  readonly failures: number;
  readonly samples: readonly string[];
}

/** Every check of a layer, run; `passed` is false when any check found a failing row. */
export interface QualityReport {
  readonly layer: QualityLayer;
  readonly passed: boolean;
  readonly results: readonly CheckResult[];
}
