import { seededUnit } from './seeded-random.ts';

/** One generated day: how many online orders and store receipts it carries. */
export interface CalendarDay {
  /** ISO date `YYYY-MM-DD`. */
  readonly day: string;
  /** Days since the start of the canonical two-year period (0-based; may exceed 729 for later days). */
  readonly dayIndex: number;
  readonly onlineOrders: number;
  readonly storeReceipts: number;
}

/** Scale 1 ≈ 1,000,000 sale lines over the canonical period: 55 % online, 45 % in store. */
const LINES_AT_SCALE_1 = 1_000_000;
const ONLINE_SHARE = 0.55;
/** Mean lines per online order and per store receipt, as drawn in `sales-sql.ts`. */
export const MEAN_ORDER_LINES = 1.92;
export const MEAN_RECEIPT_LINES = 1.73;
export const PERIOD_DAYS = 730;

const MS_PER_DAY = 86_400_000;

export function addDays(isoDay: string, days: number): string {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);
}

/** Black Friday: the day after US Thanksgiving (fourth Thursday of November), as retailers in Brazil follow. */
export function blackFriday(year: number): string {
  const firstDow = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const firstThursday = 1 + ((4 - firstDow + 7) % 7);
  return `${year}-11-${String(firstThursday + 22).padStart(2, '0')}`;
}

/** Mother's day in Brazil: second Sunday of May. */
function mothersDay(year: number): string {
  const firstDow = new Date(Date.UTC(year, 4, 1)).getUTCDay();
  const firstSunday = 1 + ((7 - firstDow) % 7);
  return `${year}-05-${String(firstSunday + 7).padStart(2, '0')}`;
}

/** Relative sales volume of a day: weekday pattern × yearly seasonality × slow growth. */
export function dayWeight(isoDay: string, dayIndex: number, kind: 'online' | 'store'): number {
  const date = new Date(`${isoDay}T00:00:00Z`);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const dom = date.getUTCDate();
  const dow = date.getUTCDay();
  let w = kind === 'store' ? [0.85, 0.9, 0.9, 0.95, 1.05, 1.2, 1.45][dow]! : [1.0, 1.05, 1.05, 1.0, 1.0, 0.9, 0.85][dow]!;
  const bf = blackFriday(year);
  const offset = daysBetween(bf, isoDay);
  if (offset === 0) w *= kind === 'online' ? 5 : 3.5;
  else if (offset > 0 && offset <= 3) w *= kind === 'online' ? 2.2 : 1.6; // weekend + Cyber Monday
  else if (offset >= -7 && offset < 0) w *= 1.3; // Black Week warm-up
  else if (month === 11) w *= 1.1;
  if (month === 12 && dom <= 23) w *= kind === 'store' ? 1.9 : 1.6;
  if (month === 12 && dom === 25) w *= 0.25;
  if (month === 1 && dom === 1) w *= 0.35;
  if (month === 1 || month === 2) w *= 0.85;
  const md = mothersDay(year);
  const toMd = daysBetween(isoDay, md);
  if (toMd >= 0 && toMd <= 7) w *= 1.35;
  return w * (1 + 0.25 * (dayIndex / PERIOD_DAYS));
}

/**
 * Builds the days [from, to] with their order and receipt counts. Counts depend only on the day,
 * the seed and the canonical period (so generating one more day later gives the same data a bigger
 * run would have given); fractional counts are rounded with a seeded draw to stay unbiased.
 */
export function buildCalendar(options: { seed: number; scale: number; periodStart: string; from: string; to: string }): CalendarDay[] {
  const totals = { online: (options.scale * LINES_AT_SCALE_1 * ONLINE_SHARE) / MEAN_ORDER_LINES,
    store: (options.scale * LINES_AT_SCALE_1 * (1 - ONLINE_SHARE)) / MEAN_RECEIPT_LINES };
  const sums = { online: 0, store: 0 };
  for (let i = 0; i < PERIOD_DAYS; i++) {
    const day = addDays(options.periodStart, i);
    sums.online += dayWeight(day, i, 'online');
    sums.store += dayWeight(day, i, 'store');
  }
  const days: CalendarDay[] = [];
  for (let day = options.from; day <= options.to; day = addDays(day, 1)) {
    const dayIndex = daysBetween(options.periodStart, day);
    const count = (kind: 'online' | 'store') =>
      Math.floor((totals[kind] * dayWeight(day, dayIndex, kind)) / sums[kind] + seededUnit(options.seed, `${kind}:${day}`));
    days.push({ day, dayIndex, onlineOrders: count('online'), storeReceipts: count('store') });
  }
  return days;
}
