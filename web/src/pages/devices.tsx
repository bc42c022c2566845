/**
 * Devices: the inventory (`GET /api/v1/devices`, docs/devices.md) as a sortable list with a
 * filter box (`q`, `sort`, `dir` in the URL). One device is device-detail.tsx.
 */
import { useEffect, useMemo, useState } from 'react';
import type { DeviceList, StoredDevice } from '../../../src/server/api-types';
import { api } from '../api';
import { Empty, ErrorNote, IpLink, Link, Loading, Panel } from '../components/common';
import { filterInputId } from '../components/controls';
import { bytes, count, time } from '../format';
import { setQuery, useLocation } from '../router';
import { useApi } from '../use-api';
import './devices.css';

/** The API's largest page; the list says so when the inventory is bigger. */
const LIST_LIMIT = 10_000;

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
export function displayName(device: StoredDevice): string | undefined {
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

export function MacFlag({ device }: { device: StoredDevice }) {
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
