/**
 * The playground shell: the token input, the live model status, and three tabs (build a query,
 * explore the model, pre-aggregations). /meta is reloaded whenever the model version changes, so an edited model
 * shows up without reloading the page.
 */
import { useEffect, useState } from 'react';
import { fetchMeta, TOKEN_KEY, type Meta } from './api/rest-client.ts';
import { useModelStatus } from './components/use-model-status.ts';
import { ModelErrors } from './components/model-errors.tsx';
import { QueryWorkbench } from './components/query-workbench.tsx';
import { ModelExplorer } from './components/model-explorer.tsx';
import { PreAggregationsPage } from './components/pre-aggregations-page.tsx';

type Tab = 'build' | 'model' | 'preaggs';

export function App() {
  const [tab, setTabState] = useState<Tab>('build');
  const [visited, setVisited] = useState<ReadonlySet<Tab>>(() => new Set(['build']));
  const setTab = (next: Tab): void => {
    setTabState(next);
    setVisited((v) => (v.has(next) ? v : new Set([...v, next])));
  };
  const [token, setToken] = useState(() => localStorage.getItem(TOKEN_KEY) ?? '');
  const [meta, setMeta] = useState<Meta>();
  const [metaError, setMetaError] = useState<string>();
  const status = useModelStatus(token);

  useEffect(() => {
    let cancelled = false;
    fetchMeta().then(
      (m) => !cancelled && (setMeta(m), setMetaError(undefined)),
      (e: Error) => !cancelled && setMetaError(e.message),
    );
    return () => {
      cancelled = true;
    };
  }, [token, status.status?.version]);

  const saveToken = (value: string): void => {
    setToken(value);
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  };

  return (
    <div className="app">
      <header className="top">
        <strong>Semantic layer playground</strong>
        <nav>
          <button className={tab === 'build' ? 'active' : ''} onClick={() => setTab('build')} data-testid="tab-build">
            Build
          </button>
          <button className={tab === 'model' ? 'active' : ''} onClick={() => setTab('model')} data-testid="tab-model">
            Model
          </button>
          <button className={tab === 'preaggs' ? 'active' : ''} onClick={() => setTab('preaggs')} data-testid="tab-preaggs">
            Pre-aggregations
          </button>
          <a href="/cubejs-api/graphql" target="_blank" rel="noreferrer">
            GraphiQL
          </a>
        </nav>
        <label className="token">
          Token <input type="password" value={token} placeholder="none needed in dev mode" onChange={(e) => saveToken(e.target.value.trim())} data-testid="token" />
        </label>
        <span className={status.status?.errors.length ? 'badge bad' : 'badge ok'} data-testid="model-badge">
          {status.error ? 'model status unavailable' : status.status ? (status.status.errors.length ? `${status.status.errors.length} model error(s)` : 'model OK') : '…'}
        </span>
      </header>
      <ModelErrors status={status.status} />
      {metaError && <p className="error">Could not read /meta: {metaError}</p>}
      {/* Tabs stay mounted once opened, so a query being built survives a look at the model. */}
      <div className="tab-panel" hidden={tab !== 'build'}>
        {meta ? <QueryWorkbench meta={meta} /> : <p>Loading the model…</p>}
      </div>
      {visited.has('model') && (
        <div className="tab-panel" hidden={tab !== 'model'}>
          {meta ? <ModelExplorer meta={meta} status={status.status} /> : <p>Loading the model…</p>}
        </div>
      )}
      {visited.has('preaggs') && (
        <div className="tab-panel" hidden={tab !== 'preaggs'}>
          <PreAggregationsPage key={token} />
        </div>
      )}
    </div>
  );
}
