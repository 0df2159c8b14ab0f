/**
 * The dashboards page (`/dashboards/<name>`): the token (shared with the playground through
 * localStorage), a menu of the three business dashboards, and the filters, kept in the URL.
 * Every number on it comes from the REST API through @cubejs-client/core with that token, so the
 * token's security context (a store manager's stores, say) applies to every figure.
 */
import { useState } from 'react';
import { TOKEN_KEY } from './cube-api.ts';
import { CampaignPerformance, readCampaignSettings, type CampaignSettings } from './campaign-performance.tsx';
import { readFilters, writeFilters, type SalesFilters } from './dashboard-filters.ts';
import { FilterBar } from './filter-bar.tsx';
import { NewVsReturning } from './new-vs-returning.tsx';
import { SalesByChannel } from './sales-by-channel.tsx';

const DASHBOARDS = [
  { name: 'sales-by-channel', title: 'Sales by channel' },
  { name: 'campaigns', title: 'Real-time campaigns' },
  { name: 'new-vs-returning', title: 'New vs returning customers' },
] as const;
type DashboardName = (typeof DASHBOARDS)[number]['name'];

/** `/dashboards/campaigns` → "campaigns"; the first dashboard for `/dashboards` or an unknown name. */
function currentDashboard(): DashboardName {
  const name = window.location.pathname.replace(/\/+$/, '').split('/').pop();
  return DASHBOARDS.find((d) => d.name === name)?.name ?? 'sales-by-channel';
}

export function DashboardsApp() {
  const dashboard = currentDashboard();
  const [token, setToken] = useState(() => localStorage.getItem(TOKEN_KEY) ?? '');
  const [filters, setFiltersState] = useState<SalesFilters>(() => readFilters());
  const [campaign, setCampaignState] = useState<CampaignSettings>(() => readCampaignSettings());
  const setFilters = (next: SalesFilters): void => {
    setFiltersState(next);
    writeFilters(next);
  };
  const setCampaign = (next: CampaignSettings): void => {
    setCampaignState(next);
    const params = new URLSearchParams(window.location.search);
    params.set('window', String(next.windowMinutes));
    if (next.campaign) params.set('campaign', next.campaign);
    else params.delete('campaign');
    if (!next.from) params.delete('from');
    if (!next.to) params.delete('to');
    window.history.replaceState(null, '', `${window.location.pathname}?${params}`);
  };
  const saveToken = (value: string): void => {
    setToken(value);
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  };
  // Filters survive a switch of dashboard (same query string).
  const search = window.location.search;

  return (
    <div className="app dashboards">
      <header className="top">
        <strong>Dashboards</strong>
        <nav>
          {DASHBOARDS.map((d) => (
            <a key={d.name} href={`/dashboards/${d.name}${search}`} className={d.name === dashboard ? 'active' : ''} data-testid={`nav-${d.name}`}>
              {d.title}
            </a>
          ))}
          <a href="/playground">Playground</a>
        </nav>
        <label className="token">
          Token <input type="password" value={token} placeholder="none needed in dev mode" onChange={(e) => saveToken(e.target.value.trim())} data-testid="token" />
        </label>
      </header>
      {dashboard === 'campaigns' ? (
        <>
          <div className="filter-bar">
            <label>
              Window
              <select
                value={campaign.from && campaign.to ? 'fixed' : String(campaign.windowMinutes)}
                onChange={(e) => setCampaign({ ...campaign, from: '', to: '', windowMinutes: Number(e.target.value) || 60 })}
                data-testid="campaign-window-select"
              >
                {campaign.from && campaign.to && <option value="fixed">fixed (from the URL)</option>}
                <option value="15">last 15 minutes</option>
                <option value="60">last 60 minutes</option>
                <option value="240">last 4 hours</option>
                <option value="1440">last 24 hours</option>
              </select>
            </label>
            <label>
              Campaign <input value={campaign.campaign} placeholder="all" onChange={(e) => setCampaign({ ...campaign, campaign: e.target.value.trim() })} data-testid="campaign-filter" />
            </label>
          </div>
          <CampaignPerformance key={token} settings={campaign} token={token} />
        </>
      ) : (
        <>
          <FilterBar filters={filters} onChange={setFilters} token={token} />
          {dashboard === 'sales-by-channel' ? <SalesByChannel filters={filters} token={token} /> : <NewVsReturning filters={filters} token={token} />}
        </>
      )}
    </div>
  );
}
