/**
 * The `devices` table: one row per MAC with the inventory as JSON (merged on every write) and
 * the fields users set. Writes read the rows they touch, merge in JavaScript, and replace them
 * in one transaction; the inventory is small (thousands of devices), so this is not a hot path.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { Device } from '../../model/index.js';
import type { DeviceUpdate, StoredDevice, StoreRow } from '../store.js';

/** `incoming` folded into `known` (the same MAC). */
export function mergeDevice(known: Device, incoming: Device): Device {
  const addresses = known.addresses.map((a) => ({ ...a }));
  for (const a of incoming.addresses) {
    const same = addresses.find((b) => b.ip === a.ip);
    if (same) {
      same.firstSeen = Math.min(same.firstSeen, a.firstSeen);
      same.lastSeen = Math.max(same.lastSeen, a.lastSeen);
    } else if (addresses.length < 256) addresses.push({ ...a });
  }
  const names = [...known.names];
  for (const n of incoming.names) {
    if (!names.some((m) => m.name === n.name && m.source === n.source) && names.length < 64) names.push(n);
  }
  const newer = incoming.lastSeen >= known.lastSeen ? incoming : known;
  const older = newer === incoming ? known : incoming;
  return {
    ...older,
    ...newer,
    addresses,
    names,
    dhcp: newer.dhcp ?? older.dhcp,
    osGuess: newer.osGuess ?? older.osGuess,
    vendor: newer.vendor ?? older.vendor,
    ttl: newer.ttl ?? older.ttl,
    firstSeen: Math.min(known.firstSeen, incoming.firstSeen),
    lastSeen: Math.max(known.lastSeen, incoming.lastSeen),
    packets: known.packets + incoming.packets,
    bytes: known.bytes + incoming.bytes,
  };
}

function timestamp(seconds: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.round(seconds * 1e6)));
}

export function deviceOfRow(row: StoreRow): StoredDevice {
  const inventory = JSON.parse(String(row.inventory)) as Device;
  const text = (value: unknown) => (value === null || value === undefined ? undefined : String(value));
  return {
    ...inventory,
    name: text(row.name),
    owner: text(row.owner),
    notes: text(row.notes),
    trusted: row.trusted === true,
  };
}

export const DEVICE_COLUMNS = 'mac, inventory::VARCHAR AS inventory, name, owner, notes, trusted';

export async function upsertDevices(connection: DuckDBConnection, devices: readonly Device[]): Promise<void> {
  const merged = new Map<string, Device>();
  for (const device of devices) {
    const known = merged.get(device.mac);
    merged.set(device.mac, known ? mergeDevice(known, device) : device);
  }
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const device of merged.values()) {
      const reader = await connection.runAndReadAll(
        'SELECT inventory::VARCHAR AS inventory FROM devices WHERE mac = ?',
        [device.mac],
      );
      const [row] = reader.getRowObjects();
      const next = row ? mergeDevice(JSON.parse(String(row.inventory)) as Device, device) : device;
      const params = [timestamp(next.firstSeen), timestamp(next.lastSeen), JSON.stringify(next), device.mac];
      if (row)
        await connection.run(
          'UPDATE devices SET first_seen = ?, last_seen = ?, inventory = ? WHERE mac = ?',
          params,
        );
      else
        await connection.run(
          'INSERT INTO devices (first_seen, last_seen, inventory, mac) VALUES (?, ?, ?, ?)',
          params,
        );
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => {});
    throw error;
  }
}

export async function updateDevice(
  connection: DuckDBConnection,
  mac: string,
  update: DeviceUpdate,
): Promise<boolean> {
  const sets: string[] = [];
  const params: (string | boolean | null)[] = [];
  for (const field of ['name', 'owner', 'notes'] as const) {
    if (update[field] !== undefined) {
      sets.push(`${field} = ?`);
      params.push(update[field] ?? null);
    }
  }
  if (update.trusted !== undefined) {
    sets.push('trusted = ?');
    params.push(update.trusted);
  }
  const exists = await connection.runAndReadAll('SELECT 1 FROM devices WHERE mac = ?', [mac]);
  if (exists.getRowObjects().length === 0) return false;
  if (sets.length > 0)
    await connection.run(`UPDATE devices SET ${sets.join(', ')} WHERE mac = ?`, [...params, mac]);
  return true;
}
