import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { prefetchOverview } from './pages/overview';
import './styles.css';

// The overview's data is what the first paint waits for: ask for it before React renders.
if (window.location.pathname === '/') prefetchOverview(new URLSearchParams(window.location.search));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
