/**
 * Loads a dashboard's queries through @cubejs-client/core and keeps them fresh: again whenever the
 * queries (filters) or the token change, and every `refreshMs` when set (the real-time dashboard).
 * A refresh never overlaps the previous one. `shownAtMs` is `performance.now()` (milliseconds
 * since navigation started) when the first numbers were on screen: the dashboards' load time,
 * also written to the page as `data-numbers-ms` for the browser tests.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Query } from '@cubejs-client/core';
import { cubeApi, loadAll, type Loaded } from './cube-api.ts';

export interface DashboardData {
  readonly results?: readonly Loaded[];
  readonly error?: string;
  readonly loading: boolean;
  /** Date.now() of the last successful load. */
  readonly loadedAt?: number;
  /** Successful loads so far (the first one included). */
  readonly loads: number;
}

/** `enabled: false` holds the loads back (a secondary panel waiting for the figures, so they do not compete). */
export function useDashboardData(queries: readonly Query[], token: string, refreshMs = 0, enabled = true): DashboardData {
  const key = JSON.stringify(queries);
  const api = useMemo(() => cubeApi(token), [token]);
  const [data, setData] = useState<DashboardData>({ loading: true, loads: 0 });
  const running = useRef(false);

  useEffect(() => {
    if (!enabled) return undefined;
    let cancelled = false;
    const current = JSON.parse(key) as Query[];
    const run = async (): Promise<void> => {
      if (running.current) return;
      running.current = true;
      setData((d) => ({ ...d, loading: true }));
      try {
        const results = await loadAll(api, current);
        if (!cancelled) setData((d) => ({ results, loading: false, loadedAt: Date.now(), loads: d.loads + 1 }));
      } catch (error) {
        if (!cancelled) setData((d) => ({ ...d, loading: false, error: (error as Error).message || String(error) }));
      } finally {
        running.current = false;
      }
    };
    void run();
    const timer = refreshMs > 0 ? setInterval(() => void run(), refreshMs) : undefined;
    return () => {
      cancelled = true;
      running.current = false;
      if (timer) clearInterval(timer);
    };
  }, [api, key, refreshMs, enabled]);

  return data;
}

/** Marks the page the first time numbers are shown (`data-numbers-ms` on <body>, milliseconds since navigation). */
export function useNumbersShown(shown: boolean): void {
  useEffect(() => {
    if (!shown || document.body.dataset.numbersMs) return;
    // After the browser painted the figures.
    requestAnimationFrame(() => {
      document.body.dataset.numbersMs = performance.now().toFixed(0);
    });
  }, [shown]);
}
