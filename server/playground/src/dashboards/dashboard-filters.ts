/**
 * The dashboards' filters, kept in the page URL (`?from=2025-01-01&to=2025-06-30&stores=L001,L002`)
 * so a filtered dashboard can be shared and reloaded, and turned into the Cube query parts every
 * sales dashboard applies: the date range of the sale date and the store filter.
 */
import type { Filter, TimeDimension } from '@cubejs-client/core';

export interface SalesFilters {
  /** Inclusive dates (YYYY-MM-DD); empty = open. */
  readonly from: string;
  readonly to: string;
  /** Store codes (vendas.loja_loja_id); empty = every store the token may see. */
  readonly stores: readonly string[];
}

export function readFilters(search = window.location.search): SalesFilters {
  const params = new URLSearchParams(search);
  const stores = (params.get('stores') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { from: params.get('from') ?? '', to: params.get('to') ?? '', stores };
}

/** Writes the filters into the URL (no reload, no history entry per keystroke). */
export function writeFilters(filters: SalesFilters): void {
  const params = new URLSearchParams(window.location.search);
  const set = (name: string, value: string): void => (value ? params.set(name, value) : params.delete(name));
  set('from', filters.from);
  set('to', filters.to);
  set('stores', filters.stores.join(','));
  const search = params.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
}

/** A dateRange for the sale date: both ends or none (one open end is filled with a far date). */
export function saleDateRange(filters: SalesFilters): [string, string] | undefined {
  if (!filters.from && !filters.to) return undefined;
  return [filters.from || '2000-01-01', filters.to || '2100-12-31'];
}

/** `vendas.data_venda` by `granularity` (or ungrouped) within the date range; none when neither applies. */
export function saleDate(filters: SalesFilters, granularity?: 'month'): TimeDimension[] {
  const range = saleDateRange(filters);
  if (!granularity && !range) return [];
  return [{ dimension: 'vendas.data_venda', ...(granularity ? { granularity } : {}), ...(range ? { dateRange: range } : {}) }];
}

/** The store filter on `vendas.loja_loja_id`, when stores are chosen. */
export function storeFilters(filters: SalesFilters): Filter[] {
  return filters.stores.length ? [{ member: 'vendas.loja_loja_id', operator: 'equals', values: [...filters.stores] }] : [];
}
