/**
 * `flowlens serve` (the built CLI, a child process) with threat feeds: a URL feed added with
 * `flowlens feeds add --no-fetch` is fetched by serve's background refresh from a feed server on
 * 127.0.0.1; NetFlow v5 exports sent to `--collect` are stored with threat tags from that feed
 * and from the watchlist, and the detections store threat-intel alerts for them; a watchlist
 * change through the API applies to the next exports; the allowlisted address never alerts.
 *
 * Needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionsTo } from './support/export-datagrams.js';
import { runCli } from './support/run.js';
import { collectNetflowOn, type RunningServe, startServe, stopServe, until } from './support/serve-cli.js';
import { freeUdpPort, sendDatagrams } from './support/udp.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-serve-feeds-'));
const data = path.join(dir, 'data');
let feedServer: Server;
let feedUrl: string;
let running: RunningServe | undefined;

beforeAll(async () => {
  feedServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('203.0.113.0/24\n');
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/lab.txt`;
});
afterAll(async () => {
  if (running) await stopServe(running);
  await new Promise((resolve) => feedServer.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('flowlens serve with threat feeds', () => {
  it('fetches a configured feed in the background and tags and alerts on collected flows', async () => {
    const added = await runCli([
      'feeds',
      'add',
      feedUrl,
      '--format',
      'ip-list',
      '--category',
      'c2',
      '--no-fetch',
      '--data',
      data,
    ]);
    expect(added.stdout).toBe('added feed lab (c2, ip-list): not fetched yet\n');
    expect((await runCli(['feeds', 'watchlist', 'add', '198.51.100.7', '--data', data])).code).toBe(0);
    expect((await runCli(['feeds', 'allowlist', 'add', '192.0.2.9', '--data', data])).code).toBe(0);
    const port = await freeUdpPort();
    running = await startServe(['--data', data, ...collectNetflowOn(port)]);
    const url = running.url;

    const feeds = await until('the background fetch', async () => {
      const list = (await (await fetch(`${url}/api/v1/feeds`)).json()) as {
        feeds: { id: string; hasCopy: boolean; state: { networks?: number } }[];
      };
      return list.feeds[0]?.state.networks !== undefined ? list.feeds : undefined;
    });
    expect(feeds[0]).toMatchObject({ id: 'lab', state: { networks: 1 } });
    // The copy is renamed into place before the refresh is counted and the matcher rebuilt.
    const metrics = await until('the feed metrics', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text.includes('flowlens_feed_entries{feed="lab"} 1\n') ? text : undefined;
    });
    expect(metrics).toContain('flowlens_feed_refreshes_total{feed="lab",outcome="updated"} 1\n');
    expect(metrics).toContain('flowlens_feed_refreshes_total{feed="lab",outcome="failed"} 0\n');
    expect(metrics).toContain('flowlens_feed_entries{feed="lab"} 1\n');
    const lastSuccess = /flowlens_feed_last_success_timestamp_seconds\{feed="lab"\} (\d+)/.exec(metrics);
    expect(Math.abs(Number(lastSuccess?.[1]) - Date.now() / 1000)).toBeLessThan(120);

    await sendDatagrams([connectionsTo(['203.0.113.9', '198.51.100.7', '192.0.2.9', '192.0.2.10'], 0)], port);
    // Flows are enriched as they are written (batches every 2 s): wait for these four first.
    await until('the first four flows in the store', async () => {
      const answer = (await (await fetch(`${url}/api/v1/flows?range=all&limit=100`)).json()) as {
        flows: unknown[];
      };
      return answer.flows.length >= 4 ? true : undefined;
    });
    // 192.0.2.10 is not listed yet: the next export comes after the watchlist change.
    const put = await fetch(`${url}/api/v1/lists/watchlist`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entries: ['198.51.100.7', '192.0.2.0/24'] }),
    });
    expect(put.status).toBe(200);
    await sendDatagrams([connectionsTo(['192.0.2.10', '192.0.2.9'], 1)], port);

    const rows = await until('the six flows in the store', async () => {
      const answer = (await (await fetch(`${url}/api/v1/flows?range=all&limit=100`)).json()) as {
        flows: { dstIp: string; srcPort: number; threatTags: string[] | null }[];
      };
      return answer.flows.length >= 6 ? answer.flows : undefined;
    });
    const tags = Object.fromEntries(rows.map((r) => [`${r.dstIp}:${r.srcPort}`, r.threatTags ?? []]));
    expect(tags).toEqual({
      '203.0.113.9:40000': ['c2', 'lab'],
      '198.51.100.7:40001': ['watchlist'],
      '192.0.2.9:40002': [],
      '192.0.2.10:40003': [],
      '192.0.2.10:40010': ['watchlist'],
      '192.0.2.9:40011': [],
    });

    const alerts = await until('the threat-intel alerts', async () => {
      const answer = (await (await fetch(`${url}/api/v1/alerts?type=threat-intel`)).json()) as {
        alerts: { summary: string }[];
      };
      return answer.alerts.length >= 3 ? answer.alerts : undefined;
    });
    expect(alerts.map((a) => a.summary).sort()).toEqual([
      '10.0.0.5 → 192.0.2.10:443: 192.0.2.10 is listed by watchlist (watchlist).',
      '10.0.0.5 → 198.51.100.7:443: 198.51.100.7 is listed by watchlist (watchlist).',
      '10.0.0.5 → 203.0.113.9:443: 203.0.113.9 is listed by lab (c2).',
    ]);
  }, 120_000);
});
