/**
 * The alerts API in process (`inject`) over a store filled by `flowlens ingest` of
 * arp_poison_mitm.pcapng (one ARP-spoofing alert, three new-device alerts): list and its
 * filters, one alert, acknowledge then dismiss (persisted, published on the live feed), the
 * final dismissed state (409), unknown ids (404), bad parameters (400), and the OpenAPI document.
 * Needs `npm run build` (the CLI runs from dist).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LiveMessage } from '../src/server/index.js';
import type { StoredAlert } from '../src/store/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import { runCli } from './support/run.js';
import { startTestServer, type TestServer } from './support/server-harness.js';

describe.skipIf(!corpusAvailable)('alerts API', () => {
  let t: TestServer;
  const inject = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    t.server.app.inject(payload === undefined ? { method, url } : { method, url, payload });

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-web-alerts-'));
    const ingest = await runCli([
      'ingest',
      corpusPath('arp_poison_mitm.pcapng'),
      '--data',
      dataDir,
      '--no-progress',
    ]);
    expect(ingest.code, ingest.stderr).toBe(0);
    t = await startTestServer({}, dataDir);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('lists alerts with state, severity and type filters', async () => {
    const all = await inject('GET', '/api/v1/alerts');
    expect(all.statusCode).toBe(200);
    const alerts = all.json().alerts as StoredAlert[];
    expect(alerts.map((a) => a.type).sort()).toEqual([
      'arp-spoofing',
      'new-device',
      'new-device',
      'new-device',
    ]);
    const high = (await inject('GET', '/api/v1/alerts?severity=high')).json().alerts as StoredAlert[];
    expect(high.map((a) => a.type)).toEqual(['arp-spoofing']);
    expect((await inject('GET', '/api/v1/alerts?type=new-device&limit=2')).json().alerts).toHaveLength(2);
    expect((await inject('GET', '/api/v1/alerts?state=dismissed')).json().alerts).toEqual([]);
  });

  it('answers one alert with its summary and evidence, and 404 for an unknown id', async () => {
    const [arp] = (await inject('GET', '/api/v1/alerts?type=arp-spoofing')).json().alerts as StoredAlert[];
    const one = await inject('GET', `/api/v1/alerts/${arp.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: arp.id, type: 'arp-spoofing', srcIp: '172.16.0.1' });
    expect(one.json().evidence).toBeTruthy();
    const missing = await inject('GET', '/api/v1/alerts/a0000000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('FLOWLENS_ERR_NOT_FOUND');
    const ackMissing = await inject('POST', '/api/v1/alerts/a0000000000000000/ack');
    expect(ackMissing.statusCode).toBe(404);
  });

  it('acknowledges then dismisses, persists who did it, publishes it live, and keeps dismissed final', async () => {
    const seen: LiveMessage[] = [];
    const socket = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/live?topics=alerts`);
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as LiveMessage | { type: string };
      if (message.type === 'message') seen.push(message as LiveMessage);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const [alert] = (await inject('GET', '/api/v1/alerts?type=new-device&limit=1')).json()
      .alerts as StoredAlert[];
    const ack = await inject('POST', `/api/v1/alerts/${alert.id}/ack`, { by: 'alice' });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ id: alert.id, state: 'acknowledged', stateBy: 'alice' });
    const again = await inject('POST', `/api/v1/alerts/${alert.id}/ack`);
    expect(again.json()).toMatchObject({ state: 'acknowledged', stateBy: 'alice' });
    const stored = (await t.store.listAlerts({ state: 'acknowledged' })).map((a) => a.id);
    expect(stored).toEqual([alert.id]);

    const dismiss = await inject('POST', `/api/v1/alerts/${alert.id}/dismiss`);
    expect(dismiss.statusCode).toBe(200);
    expect(dismiss.json()).toMatchObject({ state: 'dismissed', stateBy: 'api' });
    const reopen = await inject('POST', `/api/v1/alerts/${alert.id}/ack`);
    expect(reopen.statusCode).toBe(409);
    expect(reopen.json().error).toMatchObject({
      code: 'FLOWLENS_ERR_CONFLICT',
      details: { state: 'dismissed' },
    });

    const until = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    socket.close();
    expect(seen.map((m) => [m.topic, (m.data as { alert: StoredAlert }).alert.state])).toEqual([
      ['alerts', 'acknowledged'],
      ['alerts', 'dismissed'],
    ]);
  });

  it('rejects bad parameters and bodies with 400 FLOWLENS_ERR_VALIDATION', async () => {
    for (const url of [
      '/api/v1/alerts?severity=urgent',
      '/api/v1/alerts?state=open',
      '/api/v1/alerts?limit=0',
      '/api/v1/alerts?limit=100000',
      '/api/v1/alerts?type=DROP%20TABLE',
      '/api/v1/alerts?bogus=1',
      "/api/v1/alerts/a'%20or%201=1",
    ]) {
      const response = await inject('GET', url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code, url).toBe('FLOWLENS_ERR_VALIDATION');
    }
    const [alert] = (await inject('GET', '/api/v1/alerts?limit=1')).json().alerts as StoredAlert[];
    for (const payload of [{ by: '' }, { by: 'x'.repeat(65) }, { who: 'alice' }]) {
      const response = await inject('POST', `/api/v1/alerts/${alert.id}/ack`, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('FLOWLENS_ERR_VALIDATION');
    }
  });

  it('documents the alert routes in the OpenAPI document', async () => {
    const paths = (await inject('GET', '/api/v1/openapi.json')).json().paths as Record<string, unknown>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/alerts',
        '/api/v1/alerts/{id}',
        '/api/v1/alerts/{id}/ack',
        '/api/v1/alerts/{id}/dismiss',
      ]),
    );
    expect(Object.keys(paths).some((p) => p.includes('*'))).toBe(false);
  });
});
