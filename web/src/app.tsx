/**
 * The shell: navigation, the page of the current path, light/dark theme, keyboard shortcuts
 * (`/` filter, `g o|e|l|d|a|c|s` pages, `t` theme, `?` help), new-alert toasts from the live feed,
 * and the API-token prompt when the server asks for one.
 */
import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import type { LiveMessage, StoredAlert } from '../../src/server/api-types';
import { onUnauthorized, saveToken } from './api';
import { Link } from './components/common';
import { filterInputId } from './components/controls';
import { useLive, useLiveStatus } from './live';
import { AlertsPage } from './pages/alerts';
import { CapturesPage } from './pages/captures';
import { DevicePage } from './pages/device-detail';
import { DevicesPage } from './pages/devices';
import { ExplorerPage } from './pages/explorer';
import { HostPage } from './pages/host';
import { LivePage } from './pages/live';
import { OverviewPage } from './pages/overview';
import { StatusPage } from './pages/status';
import { navigate, useLocation } from './router';

const NAV = [
  { href: '/', label: 'Overview', key: 'o' },
  { href: '/flows', label: 'Explorer', key: 'e' },
  { href: '/live', label: 'Live', key: 'l' },
  { href: '/devices', label: 'Devices', key: 'd' },
  { href: '/alerts', label: 'Alerts', key: 'a' },
  { href: '/captures', label: 'Captures', key: 'c' },
  { href: '/status', label: 'Status', key: 's' },
];

type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('flowlens-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** A path segment as text; a malformed %-escape stays as typed instead of throwing. */
function decodePart(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function Page({ path }: { path: string }) {
  if (path === '/') return <OverviewPage />;
  if (path === '/flows') return <ExplorerPage />;
  if (path === '/live') return <LivePage />;
  if (path === '/devices') return <DevicesPage />;
  if (path === '/alerts') return <AlertsPage />;
  if (path === '/captures') return <CapturesPage />;
  if (path === '/status') return <StatusPage />;
  const host = /^\/hosts\/([^/]+)$/.exec(path);
  if (host) return <HostPage key={host[1]} ip={decodePart(host[1])} />;
  const device = /^\/devices\/([^/]+)$/.exec(path);
  if (device) return <DevicePage key={device[1]} mac={decodePart(device[1]).toLowerCase()} />;
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <Link href="/">Go to the overview</Link>.
      </p>
    </div>
  );
}

interface Toast {
  id: number;
  text: string;
  href?: string;
}

export function App() {
  const { path } = useLocation();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [help, setHelp] = useState(false);
  const [needToken, setNeedToken] = useState(false);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const pendingG = useRef(0);
  const live = useLiveStatus();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('flowlens-theme', theme);
  }, [theme]);
  useEffect(() => onUnauthorized(() => setNeedToken(true)), []);

  const onAlert = useCallback((message: LiveMessage) => {
    const data = message.data as { event?: string; alert?: StoredAlert } & Partial<StoredAlert>;
    const alert = data.alert ?? (data.id ? (data as StoredAlert) : undefined);
    if (!alert) return;
    const text =
      data.event === 'state'
        ? `Alert ${alert.state}: ${alert.summary}`
        : `New ${alert.severity} alert: ${alert.summary}`;
    setToasts((list) => [
      ...list.slice(-3),
      { id: message.id, text, href: `/alerts?id=${encodeURIComponent(alert.id)}` },
    ]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== message.id)), 6000);
  }, []);
  useLive('alerts', onAlert);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (target.closest('input, textarea, select, [contenteditable]')) return;
      if (e.key === '/') {
        e.preventDefault();
        const input = document.getElementById(filterInputId) as HTMLInputElement | null;
        if (input) input.focus();
        else {
          navigate(`/flows${window.location.search}`);
          requestAnimationFrame(() => document.getElementById(filterInputId)?.focus());
        }
        return;
      }
      if (e.key === 'g') {
        pendingG.current = Date.now();
        return;
      }
      if (Date.now() - pendingG.current < 1500) {
        pendingG.current = 0;
        const item = NAV.find((n) => n.key === e.key);
        if (item) navigate(item.href);
        return;
      }
      if (e.key === 't') setTheme((t) => (t === 'dark' ? 'light' : 'dark'));
      else if (e.key === '?') setHelp((h) => !h);
      else if (e.key === 'Escape') setHelp(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const section = path.startsWith('/hosts/') ? '/flows' : path.startsWith('/devices/') ? '/devices' : path;
  return (
    <div className="app">
      <nav className="nav">
        <Link href="/" className="brand">
          <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
            <path
              d="M5 21c4-10 8-10 11 0s7 10 11 0"
              stroke="currentColor"
              strokeWidth="3"
              fill="none"
              strokeLinecap="round"
            />
          </svg>
          Flowlens
        </Link>
        {NAV.map((item) => (
          <Link
            key={item.href}
            href={item.href}
            className={section === item.href ? 'active' : ''}
            title={`g ${item.key}`}
          >
            {item.label}
          </Link>
        ))}
        <span className="spacer" />
        <span className={`live-dot ${live}`} title={`live feed: ${live}`} data-testid="live-status">
          ● {live === 'open' ? 'live' : live}
        </span>
        <button
          type="button"
          className="quiet"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          title="Theme (t)"
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        <button type="button" className="quiet" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
          ?
        </button>
      </nav>
      <main>
        <Page path={path} />
      </main>
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className="toast" data-testid="toast">
            {t.href ? <Link href={t.href}>{t.text}</Link> : t.text}
          </div>
        ))}
      </div>
      {help && (
        <div
          className="modal"
          role="dialog"
          aria-label="Keyboard shortcuts"
          onClick={() => setHelp(false)}
          onKeyDown={() => {}}
        >
          <div className="modal-body">
            <h2>Keyboard shortcuts</h2>
            <dl className="keys">
              <dt>/</dt>
              <dd>focus the filter</dd>
              {NAV.map((n) => (
                <Fragment key={n.key}>
                  <dt>g {n.key}</dt>
                  <dd>{n.label}</dd>
                </Fragment>
              ))}
              <dt>t</dt>
              <dd>light / dark theme</dd>
              <dt>?</dt>
              <dd>this help</dd>
            </dl>
          </div>
        </div>
      )}
      {needToken && <TokenPrompt onDone={() => setNeedToken(false)} />}
    </div>
  );
}

function TokenPrompt({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
  return (
    <div className="modal" role="dialog" aria-label="API token">
      <form
        className="modal-body"
        onSubmit={(e) => {
          e.preventDefault();
          saveToken(value.trim());
          onDone();
          window.location.reload();
        }}
      >
        <h2>API token needed</h2>
        <p>This server requires its API token (FLOWLENS_API_TOKEN). It is kept in this browser only.</p>
        <input type="password" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit">Save</button>
      </form>
    </div>
  );
}
