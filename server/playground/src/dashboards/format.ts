/**
 * How the dashboards print numbers (en-US grouping, currency in BRL, as the model's `meta.unidade`
 * says): fixed rules so the browser tests can read a figure back from the page.
 */
const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'BRL', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A REST value (numbers arrive as strings) as a number; null stays null. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function formatCurrency(value: unknown): string {
  const n = toNumber(value);
  return n === null ? '—' : currency.format(n);
}

export function formatInteger(value: unknown): string {
  const n = toNumber(value);
  return n === null ? '—' : integer.format(n);
}

/** A ratio between 0 and 1 as a percentage with one decimal ("42.3%"). */
export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '—' : `${(ratio * 100).toFixed(1)}%`;
}

/** "2025-03-01T00:00:00.000" → "2025-03". */
export function monthOf(value: unknown): string {
  return String(value ?? '').slice(0, 7);
}

/** "2026-12-06T05:41:00.000" → "05:41" (UTC, as the data). */
export function minuteOf(value: unknown): string {
  return String(value ?? '').slice(11, 16);
}
