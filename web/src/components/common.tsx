/** Small shared pieces: links, IP links, empty states, errors, panels, bar lists. */
import type { ReactNode } from 'react';
import type { ApiFailure } from '../api';
import { linkClick } from '../router';

export function Link(props: { href: string; children: ReactNode; className?: string; title?: string }) {
  return (
    <a
      href={props.href}
      className={props.className}
      title={props.title}
      onClick={(e) => linkClick(e, props.href)}
    >
      {props.children}
    </a>
  );
}

/** Every address shown anywhere links to its host page, keeping the current range. */
export function IpLink({ ip }: { ip: string | null | undefined }) {
  if (!ip) return <span className="muted">–</span>;
  const range = new URLSearchParams(window.location.search).get('range');
  const href = `/hosts/${encodeURIComponent(ip)}${range ? `?range=${encodeURIComponent(range)}` : ''}`;
  return (
    <Link href={href} className="ip">
      {ip}
    </Link>
  );
}

export function Panel(props: {
  title: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`panel ${props.className ?? ''}`} data-testid={props.testId}>
      <header>
        <h2>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function ErrorNote({ error }: { error: ApiFailure | undefined }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      {error.message} {error.code && <code>{error.code}</code>}
    </div>
  );
}

export function Loading() {
  return <div className="loading">Loading…</div>;
}

/** Horizontal bars: label, value text, bar length proportional to `value`. */
export function BarList(props: {
  rows: { key: string; label: ReactNode; value: number; text: string }[];
  empty?: ReactNode;
}) {
  if (props.rows.length === 0) return <Empty>{props.empty ?? 'Nothing in this range.'}</Empty>;
  const max = Math.max(...props.rows.map((r) => r.value), 1);
  return (
    <ol className="bars">
      {props.rows.map((row) => (
        <li key={row.key}>
          <span className="bar-label">{row.label}</span>
          <span className="bar-value">{row.text}</span>
          <span className="bar" style={{ width: `${(row.value / max) * 100}%` }} />
        </li>
      ))}
    </ol>
  );
}

const NO_DATA_HELP = (
  <>
    <p>
      <strong>No flows yet.</strong> Drop a capture on the <Link href="/captures">Captures</Link> page (tick
      “add to the store”), run <code>flowlens ingest capture.pcap</code>, or run <code>flowlens collect</code>{' '}
      on the same data directory and point a NetFlow/IPFIX/sFlow exporter at it (UDP 2055, 4739, 6343).
    </p>
  </>
);

export function NoData() {
  return <Empty>{NO_DATA_HELP}</Empty>;
}
