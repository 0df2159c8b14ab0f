/**
 * Date range and store filters of the sales dashboards. The store list comes from the REST API
 * with the same token, so a store manager only ever sees (and can pick) their own stores.
 */
import { useEffect, useMemo, useState } from 'react';
import { cubeApi, loadAll } from './cube-api.ts';
import type { SalesFilters } from './dashboard-filters.ts';

interface Store {
  readonly id: string;
  readonly name: string;
}

export function FilterBar({ filters, onChange, token }: { filters: SalesFilters; onChange: (next: SalesFilters) => void; token: string }) {
  const [stores, setStores] = useState<readonly Store[]>([]);
  const api = useMemo(() => cubeApi(token), [token]);
  useEffect(() => {
    let cancelled = false;
    loadAll(api, [{ dimensions: ['vendas.loja_loja_id', 'vendas.loja_nome'], order: { 'vendas.loja_loja_id': 'asc' }, limit: 5000 }]).then(
      ([loaded]) => !cancelled && setStores(loaded!.rows.map((r) => ({ id: String(r['vendas.loja_loja_id']), name: String(r['vendas.loja_nome']) }))),
      () => !cancelled && setStores([]),
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  return (
    <div className="filter-bar" data-testid="filter-bar">
      <label>
        From <input type="date" value={filters.from} onChange={(e) => onChange({ ...filters, from: e.target.value })} data-testid="filter-from" />
      </label>
      <label>
        To <input type="date" value={filters.to} onChange={(e) => onChange({ ...filters, to: e.target.value })} data-testid="filter-to" />
      </label>
      <label className="stores">
        Stores
        <select
          multiple
          size={4}
          value={[...filters.stores]}
          onChange={(e) => onChange({ ...filters, stores: [...e.target.selectedOptions].map((o) => o.value) })}
          data-testid="filter-stores"
        >
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id} · {s.name}
            </option>
          ))}
        </select>
      </label>
      {filters.stores.length > 0 && (
        <button onClick={() => onChange({ ...filters, stores: [] })} data-testid="filter-stores-clear">
          All stores
        </button>
      )}
      <span className="filter-summary" data-testid="filter-summary">
        {filters.from || filters.to ? `${filters.from || '…'} → ${filters.to || '…'}` : 'all dates'} · {filters.stores.length ? filters.stores.join(', ') : 'all stores'}
      </span>
    </div>
  );
}
