/** Everything the SQL of the generator is parameterised by; derived once from the CLI options. */
export interface DatagenParams {
  readonly seed: number;
  readonly scale: number;
  /** First and last day of the canonical two-year period (drives sizes and customer signups). */
  readonly periodStart: string;
  readonly periodEnd: string;
  /** Days whose files and database rows this run writes (a sub-range, or days after the period). */
  readonly from: string;
  readonly to: string;
  readonly customers: number;
  readonly products: number;
  readonly physicalStores: number;
}

/** Customers who signed up before the period (they form the CRM's first full export). */
export function existingCustomers(p: DatagenParams): number {
  return Math.round(p.customers * 0.6);
}

/** Sizes at a scale: ~100k customers and ~5k products at scale 1, with floors so tiny scales stay meaningful. */
export function sizesForScale(scale: number): Pick<DatagenParams, 'customers' | 'products' | 'physicalStores'> {
  return {
    customers: Math.max(500, Math.round(100_000 * scale)),
    products: Math.max(200, Math.round(5_000 * scale)),
    physicalStores: 60,
  };
}

/** The seeded uniform draw in [0, 1) used by every generator query: same key, salt and seed → same number. */
export function randomMacroSql(seed: number): string {
  return `CREATE OR REPLACE TEMP MACRO rnd(k, salt) AS CAST(hash(k, salt, ${Math.trunc(seed)}) % 2147483647 AS DOUBLE) / 2147483647.0;`;
}
