/**
 * `/api/v1/devices` over real HTTP on a store seeded with the demo capture: list, one device,
 * the user fields set with PATCH (and kept), and the error paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/cli/serve/demo.js';
import { startTestServer, type TestServer } from './support/server-harness.js';

let ctx: TestServer;
beforeAll(async () => {
  ctx = await startTestServer();
  await seedDemo(ctx.store, ctx.dataDir);
}, 60_000);
afterAll(() => ctx?.close());

interface DeviceAnswer {
  mac: string;
  vendor?: string;
  addresses: { ip: string }[];
  name?: string;
  owner?: string;
  notes?: string;
  trusted: boolean;
  lastSeen: number;
}

const api = (path: string, init?: RequestInit) => fetch(`${ctx.url}/api/v1${path}`, init);
const patch = (mac: string, body: unknown) =>
  api(`/devices/${mac}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('/api/v1/devices', () => {
  it('lists the inventory, most recently seen first', async () => {
    const response = await api('/devices');
    expect(response.status).toBe(200);
    const { devices } = (await response.json()) as { devices: DeviceAnswer[] };
    // Six office hosts, the scanner and the gateway's MAC (every outside address is behind it).
    expect(devices.map((d) => d.mac)).toEqual(
      expect.arrayContaining(['3c:22:fb:10:01:0a', '3c:22:fb:10:01:42', '00:1a:2b:3c:4d:01']),
    );
    for (let i = 1; i < devices.length; i++) {
      expect(devices[i - 1].lastSeen).toBeGreaterThanOrEqual(devices[i].lastSeen);
    }
    const limited = (await (await api('/devices?limit=2')).json()) as { devices: DeviceAnswer[] };
    expect(limited.devices).toHaveLength(2);
  });

  it('shows one device, in any letter case, with its addresses', async () => {
    const response = await api('/devices/3C:22:FB:10:01:0A');
    expect(response.status).toBe(200);
    const device = (await response.json()) as DeviceAnswer;
    expect(device.mac).toBe('3c:22:fb:10:01:0a');
    expect(device.addresses.map((a) => a.ip)).toContain('192.168.1.10');
    expect(device.trusted).toBe(false);
  });

  it('keeps what users set, and clears a field with null', async () => {
    const set = await patch('3c:22:fb:10:01:0a', { name: 'file server', owner: 'it', trusted: true });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ name: 'file server', owner: 'it', trusted: true });
    const cleared = await patch('3c:22:fb:10:01:0a', { owner: null });
    expect(await cleared.json()).toMatchObject({ name: 'file server', trusted: true });
    const again = (await (await api('/devices/3c:22:fb:10:01:0a')).json()) as DeviceAnswer;
    expect(again.name).toBe('file server');
    expect(again.owner).toBeUndefined();
  });

  it('answers 404 for an unknown device and 400 for bad input', async () => {
    const missing = await api('/devices/02:00:00:00:00:99');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('FLOWLENS_ERR_NOT_FOUND');
    expect((await patch('02:00:00:00:00:99', { name: 'x' })).status).toBe(404);
    for (const bad of ['/devices/not-a-mac', '/devices/3c:22:fb:10:01:0a;drop', '/devices?limit=0']) {
      const response = await api(bad);
      expect(response.status, bad).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'FLOWLENS_ERR_VALIDATION',
      );
    }
    for (const body of [{}, { vendor: 'evil' }, { trusted: 'yes' }, { name: 'x'.repeat(201) }]) {
      const response = await patch('3c:22:fb:10:01:0a', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  });
});
