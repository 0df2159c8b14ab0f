/**
 * The query builder page: members on the left; time, filters, order, limit and timezone; the
 * query as editable JSON (the single source of truth: every control edits it, and a valid edit of
 * the JSON updates the controls); Run sends `/load` and `/sql` (and `/explain`), and the result
 * tabs show the table, a chart, the generated SQL, the copies for the three APIs, timings and
 * which rollup answered.
 */
import { useMemo, useState } from 'react';
import { explain as callExplain, generatedSql, load, type ExplainResponse, type LoadResult, type Meta, type RequestTiming, type SqlResponse } from '../api/rest-client.ts';
import { indexMembers } from '../query/member-index.ts';
import { isRunnable, tidyQuery, type CubeQuery } from '../query/query-types.ts';
import { MemberPicker } from './member-picker.tsx';
import { QueryControls } from './query-controls.tsx';
import { ResultsTable } from './results-table.tsx';
import { ResultsChart } from './results-chart.tsx';
import { CopyPanel } from './copy-panel.tsx';
import { TimingsPanel } from './timings-panel.tsx';
import { ExplainPanel } from './explain-panel.tsx';

type ResultTab = 'table' | 'chart' | 'sql' | 'copy' | 'timings' | 'explain';

/** What one Run produced. */
export interface RunOutcome {
  readonly query: CubeQuery;
  readonly result?: LoadResult;
  readonly sql?: SqlResponse;
  readonly error?: string;
  readonly sqlError?: string;
  readonly timings: RequestTiming[];
  readonly renderMs?: number;
  readonly explain?: ExplainResponse | 'unavailable';
  readonly explainError?: string;
}

const START: CubeQuery = { limit: 100 };

export function QueryWorkbench({ meta }: { meta: Meta }) {
  const members = useMemo(() => indexMembers(meta), [meta]);
  const [query, setQueryState] = useState<CubeQuery>(START);
  const [json, setJson] = useState(() => JSON.stringify(START, null, 2));
  const [jsonError, setJsonError] = useState<string>();
  const [tab, setTab] = useState<ResultTab>('table');
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<RunOutcome>();

  const setQuery = (next: CubeQuery): void => {
    const tidy = tidyQuery(next);
    setQueryState(tidy);
    setJson(JSON.stringify(tidy, null, 2));
    setJsonError(undefined);
  };
  const editJson = (text: string): void => {
    setJson(text);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('a query is a JSON object');
      setQueryState(parsed as CubeQuery);
      setJsonError(undefined);
    } catch (e) {
      setJsonError((e as Error).message);
    }
  };

  const run = async (): Promise<void> => {
    const asked = query;
    const timings: RequestTiming[] = [];
    setRunning(true);
    const started = performance.now();
    const [loaded, sql, explained] = await Promise.allSettled([load(asked, timings), generatedSql(asked, timings), callExplain(asked, timings)]);
    const next: RunOutcome = {
      query: asked,
      timings,
      ...(loaded.status === 'fulfilled' ? { result: loaded.value.results?.[0] ?? loaded.value } : { error: (loaded.reason as Error).message }),
      ...(sql.status === 'fulfilled' ? { sql: sql.value } : { sqlError: (sql.reason as Error).message }),
      ...(explained.status === 'fulfilled' ? { explain: explained.value ?? 'unavailable' } : { explainError: (explained.reason as Error).message }),
    };
    setOutcome(next);
    setRunning(false);
    // Rendering time: measured after React committed the result (next frame).
    requestAnimationFrame(() => setOutcome((o) => (o === next ? { ...next, renderMs: performance.now() - started - timings.reduce((max, t) => Math.max(max, t.totalMs), 0) } : o)));
  };

  return (
    <div className="workbench">
      <MemberPicker meta={meta} query={query} onChange={setQuery} />
      <main>
        <QueryControls meta={meta} members={members} query={query} onChange={setQuery} />
        <div className="row">
          <button className="primary" disabled={running || !isRunnable(query) || Boolean(jsonError)} onClick={() => void run()} data-testid="run-query">
            {running ? 'Running…' : 'Run'}
          </button>
          {outcome?.error && (
            <span className="error" data-testid="query-error">
              {outcome.error}
            </span>
          )}
        </div>
        <details open>
          <summary>Query JSON</summary>
          <textarea className="json" value={json} onChange={(e) => editJson(e.target.value)} spellCheck={false} data-testid="query-json" />
          {jsonError && <div className="error">{jsonError}</div>}
        </details>
        <nav className="result-tabs">
          {(['table', 'chart', 'sql', 'copy', 'timings', 'explain'] as const).map((t) => (
            <button key={t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)} data-testid={`result-tab-${t}`}>
              {t === 'sql' ? 'SQL' : t.charAt(0).toUpperCase() + t.slice(1)}
            </button>
          ))}
        </nav>
        <section className="result">
          {tab === 'copy' ? (
            <CopyPanel query={query} members={members} />
          ) : !outcome ? (
            <p className="note">Pick members and press Run.</p>
          ) : tab === 'table' ? (
            <ResultsTable result={outcome.result} query={outcome.query} />
          ) : tab === 'chart' ? (
            <ResultsChart result={outcome.result} query={outcome.query} />
          ) : tab === 'sql' ? (
            <pre data-testid="generated-sql">{outcome.sql ? `${outcome.sql.sql.sql[0]}\n\n-- params: ${JSON.stringify(outcome.sql.sql.sql[1])}` : outcome.sqlError}</pre>
          ) : tab === 'timings' ? (
            <TimingsPanel outcome={outcome} />
          ) : (
            <ExplainPanel outcome={outcome} />
          )}
        </section>
      </main>
    </div>
  );
}
