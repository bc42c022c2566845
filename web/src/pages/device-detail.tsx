/**
 * One device (`/devices/:mac`): every field, its address history, the alerts that name it, and
 * the form for what users set (name, owner, notes, trusted; `PATCH /api/v1/devices/:mac`).
 */
import { type ReactNode, useState } from 'react';
import type {
  AlertList,
  DeviceUpdate,
  HostDetail,
  StoredAlert,
  StoredDevice,
} from '../../../src/server/api-types';
import { type ApiFailure, api, withParams } from '../api';
import { BarList, Empty, ErrorNote, IpLink, Link, Loading, Panel } from '../components/common';
import { bytes, count, time } from '../format';
import { useLive } from '../live';
import { useApi } from '../use-api';
import { SeverityBadge } from './alerts';
import { displayName, MacFlag } from './devices';
import './devices.css';

/** The alerts API's largest page (it has no address or MAC filter). */
const ALERTS_LIMIT = 1000;

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
          {history.length > 0 && (
            <DeviceTraffic ips={[...new Set(history.map((a) => a.ip))].slice(0, TRAFFIC_ADDRESSES)} />
          )}
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

/** Addresses whose host detail the traffic panels merge, most recently seen first. */
const TRAFFIC_ADDRESSES = 4;

/** Sums `rows` by `keyOf`, largest bytes first, at most 10. */
function mergeTop<T extends { bytes: number }>(
  rows: T[],
  keyOf: (row: T) => string,
): (T & { key: string })[] {
  const merged = new Map<string, T & { key: string }>();
  for (const row of rows) {
    const key = keyOf(row);
    const seen = merged.get(key);
    if (seen) seen.bytes += row.bytes;
    else merged.set(key, { ...row, key });
  }
  return [...merged.values()].sort((a, b) => b.bytes - a.bytes).slice(0, 10);
}

/**
 * Top destinations and applications of the device: the host details (`GET /api/v1/hosts/:ip`,
 * all stored time) of its most recent addresses, merged (its own addresses left out of the peers).
 */
function DeviceTraffic({ ips }: { ips: string[] }) {
  const hosts = useApi(
    (signal) =>
      Promise.all(
        ips.map((ip) =>
          api.get<HostDetail>(`/hosts/${encodeURIComponent(ip)}`, { range: 'all', limit: 10 }, signal),
        ),
      ),
    [ips.join(',')],
  );
  const own = new Set(ips);
  const peers = hosts.data
    ? mergeTop(
        hosts.data.flatMap((h) => h.peers.filter((p) => !own.has(p.ip))),
        (p) => p.ip,
      )
    : [];
  const applications = hosts.data
    ? mergeTop(
        hosts.data.flatMap((h) => h.applications),
        (a) => a.application ?? '(none)',
      )
    : [];
  return (
    <div className="grid" data-testid="device-traffic">
      <Panel title="Top destinations">
        <ErrorNote error={hosts.error} />
        {hosts.loading && !hosts.data && <Loading />}
        {hosts.data && peers.length === 0 && <Empty>No stored flows of its addresses.</Empty>}
        {peers.length > 0 && (
          <BarList
            rows={peers.map((p) => ({
              key: p.key,
              label: <IpLink ip={p.ip} />,
              value: p.bytes,
              text: bytes(p.bytes),
            }))}
          />
        )}
        <p className="hint">Stored flows of {ips.join(', ')}, over all time.</p>
      </Panel>
      <Panel title="Applications">
        {hosts.data && applications.length === 0 && <Empty>No stored flows of its addresses.</Empty>}
        {applications.length > 0 && (
          <BarList
            rows={applications.map((a) => ({
              key: a.key,
              label: a.application ?? 'unidentified',
              value: a.bytes,
              text: bytes(a.bytes),
            }))}
          />
        )}
      </Panel>
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
