/** Entry of the dashboards page (`/dashboards/...`): mounts the dashboards shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DashboardsApp } from './dashboards-app.tsx';
import '../styles.css';
import './dashboards.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DashboardsApp />
  </StrictMode>,
);
