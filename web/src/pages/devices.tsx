/**
 * Devices: the inventory (`GET /api/v1/devices`, docs/devices.md) as a sortable list with a
 * filter box (`q`, `sort`, `dir` in the URL), and one device (`/devices/:mac`): every field, its
 * address history, the alerts that name it, and the form for what users set (name, owner, notes,
 * trusted; `PATCH /api/v1/devices/:mac`).
 */
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import type {
  AlertList,
  DeviceList,
  DeviceUpdate,
  StoredAlert,
  StoredDevice,
} from '../../../src/server/api-types';
import { type ApiFailure, api, withParams } from '../api';
import { Empty, ErrorNote, IpLink, Link, Loading, Panel } from '../components/common';
import { filterInputId } from '../components/controls';
import { bytes, count, time } from '../format';
import { useLive } from '../live';
import { setQuery, useLocation } from '../router';
import { useApi } from '../use-api';
import { SeverityBadge } from './alerts';
import './devices.css';

/** The API's largest page; the list says so when the inventory is bigger. */
const LIST_LIMIT = 10_000;
/** The alerts API's largest page (it has no address or MAC filter). */
const ALERTS_LIMIT = 1000;

type SortKey = 'mac' | 'vendor' | 'ip' | 'name' | 'firstSeen' | 'lastSeen' | 'bytes' | 'trusted';

const COLUMNS: { key: SortKey; label: string; num?: boolean }[] = [
  { key: 'mac', label: 'MAC' },
  { key: 'vendor', label: 'Vendor' },
  { key: 'ip', label: 'Addresses' },
  { key: 'name', label: 'Names' },
  { key: 'firstSeen', label: 'First seen' },
  { key: 'lastSeen', label: 'Last seen' },
  { key: 'bytes', label: 'Traffic', num: true },
  { key: 'trusted', label: 'Trusted' },
];

const DISCOVERY_HELP = (
  <>
    <p>
      <strong>No devices yet.</strong> Devices are discovered from the local segment of a capture: ARP, DHCP,
      mDNS, NBNS and IPv6 neighbour discovery bind addresses and names to a MAC address, and the traffic
      itself adds counters and first/last seen.
    </p>
    <p>
      Ingest a capture (<code>flowlens ingest capture.pcap</code>, or the{' '}
      <Link href="/captures">Captures</Link> page with “add the flows to the store”), or capture live (
      <code>flowlens capture -i eth0</code>, <code>flowlens serve --capture eth0</code>: the inventory is
      stored when the capture stops). Flow exports (NetFlow, IPFIX, sFlow) carry no MAC addresses.
    </p>
  </>
);

/** The name users know a device by: theirs, else a discovered one. */
function displayName(device: StoredDevice): string | undefined {
  return device.name ?? device.names[0]?.name ?? device.dhcp?.hostname;
}

/** Addresses, most recently seen first. */
function addressesOf(device: StoredDevice): string[] {
  return [...device.addresses].sort((a, b) => b.lastSeen - a.lastSeen).map((a) => a.ip);
}

/** IPv4 numerically and before IPv6; IPv6 as text. */
function ipOrder(ip: string | undefined): string {
  if (ip === undefined) return '~';
  if (ip.includes(':')) return `1${ip}`;
  return `0${ip
    .split('.')
    .map((octet) => octet.padStart(3, '0'))
    .join('.')}`;
}

function sortValue(device: StoredDevice, key: SortKey): string | number {
  switch (key) {
    case 'mac':
      return device.mac;
    case 'vendor':
      return device.vendor?.toLowerCase() ?? '~';
    case 'ip':
      // The lowest of its addresses.
      return device.addresses.reduce((low, a) => {
        const order = ipOrder(a.ip);
        return order < low ? order : low;
      }, ipOrder(undefined));
    case 'name':
      return displayName(device)?.toLowerCase() ?? '~';
    case 'trusted':
      return device.trusted ? 1 : 0;
    default:
      return device[key];
  }
}

function matches(device: StoredDevice, words: string[]): boolean {
  if (words.length === 0) return true;
  const text = [
    device.mac,
    device.vendor,
    device.name,
    device.owner,
    device.notes,
    device.osGuess?.os,
    device.dhcp?.hostname,
    device.dhcp?.vendorClass,
    device.trusted ? 'trusted' : 'untrusted',
    device.randomizedMac ? 'randomized local' : '',
    ...device.addresses.map((a) => a.ip),
    ...device.names.map((n) => n.name),
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return words.every((word) => text.includes(word));
}

export function DevicesPage() {
  const { query } = useLocation();
  const filter = query.get('q') ?? '';
  const sortParam = query.get('sort') as SortKey | null;
  const sort: SortKey = COLUMNS.some((c) => c.key === sortParam) ? (sortParam as SortKey) : 'lastSeen';
  const direction = query.get('dir') === 'asc' ? 'asc' : query.get('dir') === 'desc' ? 'desc' : undefined;
  const dir = direction ?? (sort === 'lastSeen' || sort === 'bytes' || sort === 'firstSeen' ? 'desc' : 'asc');
  const list = useApi((signal) => api.get<DeviceList>('/devices', { limit: LIST_LIMIT }, signal), []);
  const [text, setText] = useState(filter);
  // Back/forward changes `q` under the box; typing (spaces included) does not fight it.
  useEffect(() => {
    setText((typed) => (typed.trim() === filter ? typed : filter));
  }, [filter]);

  const devices = list.data?.devices ?? [];
  const shown = useMemo(() => {
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    const kept = devices.filter((d) => matches(d, words));
    const sign = dir === 'asc' ? 1 : -1;
    const keyed = kept.map((device) => ({ device, key: sortValue(device, sort) }));
    keyed.sort((a, b) => {
      if (a.key < b.key) return -sign;
      if (a.key > b.key) return sign;
      return a.device.mac < b.device.mac ? -1 : 1;
    });
    return keyed.map((k) => k.device);
  }, [devices, filter, sort, dir]);

  const sortBy = (key: SortKey) =>
    setQuery(
      { sort: key, dir: key === sort ? (dir === 'asc' ? 'desc' : 'asc') : undefined },
      { replace: true },
    );

  return (
    <div className="page" data-testid="page-devices">
      <div className="toolbar">
        <h1>Devices</h1>
        <form
          className="inline-filter"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ q: text.trim() || undefined }, { replace: true });
          }}
        >
          <input
            id={filterInputId}
            data-testid="device-filter"
            type="search"
            value={text}
            spellCheck={false}
            autoComplete="off"
            placeholder="MAC, address, name, vendor, owner…"
            aria-label="Filter devices"
            onChange={(e) => {
              setText(e.target.value);
              setQuery({ q: e.target.value.trim() || undefined }, { replace: true });
            }}
          />
        </form>
      </div>
      <ErrorNote error={list.error} />
      <Panel
        title={
          list.data
            ? filter
              ? `${count(shown.length)} of ${count(devices.length)} devices`
              : `${count(devices.length)} device${devices.length === 1 ? '' : 's'}`
            : 'Devices'
        }
        testId="device-list"
      >
        {list.loading && !list.data && <Loading />}
        {list.data && devices.length === 0 && <Empty>{DISCOVERY_HELP}</Empty>}
        {devices.length > 0 && shown.length === 0 && <Empty>No device matches “{filter}”.</Empty>}
        {shown.length > 0 && (
          <div className="table-wrap">
            <table className="devices">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.key}
                      className={`sortable${c.num ? ' num' : ''}`}
                      aria-sort={c.key === sort ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}
                    >
                      <button
                        type="button"
                        className="link"
                        data-testid={`sort-${c.key}`}
                        onClick={() => sortBy(c.key)}
                      >
                        {c.label}
                        {c.key === sort ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((device) => (
                  <DeviceRow key={device.mac} device={device} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {devices.length >= LIST_LIMIT && (
          <p className="hint">
            The {count(LIST_LIMIT)} most recently seen devices; the filter searches these.
          </p>
        )}
      </Panel>
    </div>
  );
}

function MacFlag({ device }: { device: StoredDevice }) {
  if (!device.randomizedMac) return null;
  return (
    <span
      className="tag"
      title="Locally administered MAC (U/L bit set): randomised by the OS for privacy, or assigned by software"
    >
      local
    </span>
  );
}

function DeviceRow({ device }: { device: StoredDevice }) {
  const ips = addressesOf(device);
  const name = displayName(device);
  const otherNames = device.names.map((n) => n.name).filter((n) => n !== name);
  return (
    <tr data-testid="device-row" data-mac={device.mac}>
      <td>
        <Link href={`/devices/${encodeURIComponent(device.mac)}`} className="mono">
          {device.mac}
        </Link>{' '}
        <MacFlag device={device} />
      </td>
      <td>{device.vendor ?? <span className="muted">–</span>}</td>
      <td className="wrap">
        {ips.length === 0 && <span className="muted">–</span>}
        {ips.slice(0, 3).map((ip, i) => (
          <span key={ip}>
            {i > 0 && ', '}
            <IpLink ip={ip} />
          </span>
        ))}
        {ips.length > 3 && <span className="muted"> +{ips.length - 3}</span>}
      </td>
      <td className="wrap" data-testid="device-name">
        {name ? <strong>{name}</strong> : <span className="muted">–</span>}
        {otherNames.length > 0 && <span className="muted"> ({otherNames.slice(0, 3).join(', ')})</span>}
      </td>
      <td>{time(device.firstSeen)}</td>
      <td>{time(device.lastSeen)}</td>
      <td className="num">{bytes(device.bytes)}</td>
      <td>{device.trusted ? <span className="ok">✓ trusted</span> : <span className="muted">no</span>}</td>
    </tr>
  );
}

/** Alerts that name the device: its MAC in the evidence or targets, or one of its addresses. */
function namesDevice(alert: StoredAlert, device: StoredDevice): boolean {
  const ips = new Set(device.addresses.map((a) => a.ip));
  const evidence = alert.evidence as { mac?: unknown; previousMac?: unknown } | null;
  return (
    evidence?.mac === device.mac ||
    evidence?.previousMac === device.mac ||
    (alert.srcIp !== undefined && ips.has(alert.srcIp)) ||
    (alert.dstIp !== undefined && ips.has(alert.dstIp)) ||
    (alert.targets ?? []).some((t) => t === device.mac || ips.has(t))
  );
}

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function DevicePage({ mac }: { mac: string }) {
  if (!MAC_PATTERN.test(mac)) {
    return (
      <div className="page" data-testid="page-device">
        <h1>Not a MAC address</h1>
        <p>
          <code>{mac}</code> is not a MAC address in colon form (aa:bb:cc:dd:ee:ff).{' '}
          <Link href="/devices">All devices</Link>.
        </p>
      </div>
    );
  }
  return <DeviceView mac={mac} />;
}

function DeviceView({ mac }: { mac: string }) {
  const device = useApi(
    (signal) => api.get<StoredDevice>(`/devices/${encodeURIComponent(mac)}`, undefined, signal),
    [mac],
  );
  const alerts = useApi((signal) => api.get<AlertList>('/alerts', { limit: ALERTS_LIMIT }, signal), []);
  useLive('alerts', alerts.reload);

  const d = device.data;
  const related = d && alerts.data ? alerts.data.alerts.filter((a) => namesDevice(a, d)) : [];
  const history = d ? [...d.addresses].sort((a, b) => b.lastSeen - a.lastSeen) : [];
  return (
    <div className="page" data-testid="page-device">
      <div className="toolbar">
        <h1>
          <Link href="/devices">Devices</Link> / <span className="mono">{mac}</span>
        </h1>
        {d && displayName(d) && <span className="muted">{displayName(d)}</span>}
      </div>
      <ErrorNote error={device.error} />
      {device.loading && !d && <Loading />}
      {d && (
        <>
          <div className="split">
            <Panel title="Device" testId="device-fields">
              <DeviceFields device={d} />
            </Panel>
            <Panel title="Yours to set" testId="device-edit">
              <DeviceForm key={d.mac} device={d} onSaved={device.reload} />
            </Panel>
          </div>
          <Panel title={`Addresses (${count(history.length)})`} testId="device-addresses">
            {history.length === 0 ? (
              <Empty>No IP address seen for this MAC.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Address</th>
                      <th>Learned from</th>
                      <th>First seen</th>
                      <th>Last seen</th>
                    </tr>
                  </thead>
                  <tbody>
                    {history.map((a) => (
                      <tr key={`${a.ip}|${a.source}`} data-testid="device-address">
                        <td>
                          <IpLink ip={a.ip} />
                        </td>
                        <td>{a.source}</td>
                        <td>{time(a.firstSeen)}</td>
                        <td>{time(a.lastSeen)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
          <Panel title={`Related alerts (${count(related.length)})`} testId="device-alerts">
            <ErrorNote error={alerts.error} />
            {alerts.data && related.length === 0 && (
              <Empty>No alert names this device or its addresses.</Empty>
            )}
            {related.length > 0 && (
              <ul className="alert-list">
                {related.map((a) => (
                  <li key={a.id} data-testid="device-alert">
                    <SeverityBadge severity={a.severity} /> <span className="muted">{a.type}</span>{' '}
                    <Link href={withParams('/alerts', { id: a.id })}>{a.summary}</Link>{' '}
                    <span className="muted">
                      {time(a.lastSeen ?? a.ts)} · {a.state}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            <p className="hint">
              The alerts API has no device filter: these are the alerts among the {count(ALERTS_LIMIT)} most
              recent whose evidence names this MAC or whose source, destination or targets are one of its
              addresses.
            </p>
          </Panel>
        </>
      )}
    </div>
  );
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

function DeviceFields({ device }: { device: StoredDevice }) {
  const none = <span className="muted">–</span>;
  return (
    <dl className="fields">
      <Field label="MAC">
        <span className="mono">{device.mac}</span> <MacFlag device={device} />
      </Field>
      <Field label="Kind">
        {device.randomizedMac
          ? 'locally administered (randomised by the OS, or assigned by software)'
          : 'universally administered (assigned by the vendor)'}
      </Field>
      <Field label="Vendor">{device.vendor ?? none}</Field>
      <Field label="Name" testId="field-name">
        {device.name ?? none}
      </Field>
      <Field label="Owner" testId="field-owner">
        {device.owner ?? none}
      </Field>
      <Field label="Trusted" testId="field-trusted">
        {device.trusted ? 'yes' : 'no'}
      </Field>
      <Field label="Notes">{device.notes ? <span className="pre">{device.notes}</span> : none}</Field>
      <Field label="Discovered names">
        {device.names.length === 0 ? none : device.names.map((n) => `${n.name} (${n.source})`).join(', ')}
      </Field>
      <Field label="OS guess">
        {device.osGuess ? (
          <>
            {device.osGuess.os} <span className="muted">— {device.osGuess.evidence.join('; ')}</span>
          </>
        ) : (
          none
        )}
      </Field>
      {device.dhcp && (
        <Field label="DHCP">
          {[
            device.dhcp.hostname && `hostname ${device.dhcp.hostname}`,
            device.dhcp.vendorClass && `vendor class ${device.dhcp.vendorClass}`,
            device.dhcp.parameterRequestList && `parameters ${device.dhcp.parameterRequestList.join(',')}`,
          ]
            .filter(Boolean)
            .join('; ') || none}
        </Field>
      )}
      <Field label="TTL">{device.ttl ?? none}</Field>
      <Field label="First / last seen">
        {time(device.firstSeen)} → {time(device.lastSeen)}
      </Field>
      <Field label="Traffic">
        {bytes(device.bytes)} in {count(device.packets)} packets
      </Field>
    </dl>
  );
}

/** Text fields: '' clears (null); unchanged fields are not sent. */
function DeviceForm({ device, onSaved }: { device: StoredDevice; onSaved: () => void }) {
  const [name, setName] = useState(device.name ?? '');
  const [owner, setOwner] = useState(device.owner ?? '');
  const [notes, setNotes] = useState(device.notes ?? '');
  const [trusted, setTrusted] = useState(device.trusted);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure>();
  const [saved, setSaved] = useState(false);

  const update: DeviceUpdate = {};
  const text = (value: string, before: string | undefined) => {
    const next = value.trim();
    return next === (before ?? '') ? undefined : next === '' ? null : next;
  };
  const changes: [keyof DeviceUpdate, string | boolean | null | undefined][] = [
    ['name', text(name, device.name)],
    ['owner', text(owner, device.owner)],
    ['notes', text(notes, device.notes)],
    ['trusted', trusted === device.trusted ? undefined : trusted],
  ];
  for (const [key, value] of changes) if (value !== undefined) Object.assign(update, { [key]: value });
  const dirty = Object.keys(update).length > 0;

  return (
    <form
      className="device-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!dirty) return;
        setBusy(true);
        setError(undefined);
        setSaved(false);
        try {
          await api.patch<StoredDevice>(`/devices/${encodeURIComponent(device.mac)}`, update);
          setSaved(true);
          onSaved();
        } catch (failure) {
          setError(failure as ApiFailure);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Name
        <input
          data-testid="edit-name"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <label>
        Owner
        <input
          data-testid="edit-owner"
          value={owner}
          maxLength={200}
          onChange={(e) => setOwner(e.target.value)}
        />
      </label>
      <label>
        Notes
        <textarea
          data-testid="edit-notes"
          value={notes}
          maxLength={4000}
          rows={4}
          onChange={(e) => setNotes(e.target.value)}
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          data-testid="edit-trusted"
          checked={trusted}
          onChange={(e) => setTrusted(e.target.checked)}
        />
        Trusted (a device you know)
      </label>
      <div className="actions">
        <button type="submit" data-testid="edit-save" disabled={busy || !dirty}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        {saved && !dirty && (
          <span className="ok" data-testid="edit-saved">
            Saved.
          </span>
        )}
      </div>
      <ErrorNote error={error} />
      <p className="hint">Kept in the store; later ingests and captures of the same MAC keep them.</p>
    </form>
  );
}
