/**
 * `flowlens serve --reverse-dns` (built CLI, child process) against a real DNS server on
 * 127.0.0.1 (test/support/ptr-responder.ts): collected flows queue PTR queries for their public
 * destinations in the background, and `GET /api/v1/lookup/:ip` answers with `reverseName` (a
 * name, or null for NXDOMAIN; absent when no answer came in time), and the enricher's counters
 * are on /metrics. Without the option lookups carry no `reverseName`. Needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupAnswer } from '../src/server/api-types.js';
import { PROJECT_ROOT } from './support/corpus.js';
import { connectionsTo } from './support/export-datagrams.js';
import { type PtrResponder, startPtrResponder } from './support/ptr-responder.js';
import { runCli } from './support/run.js';
import { collectNetflowOn, type RunningServe, startServe, stopServe, until } from './support/serve-cli.js';
import { freeUdpPort, sendDatagrams } from './support/udp.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flowlens-serve-rdns-'));
let responder: PtrResponder;
let running: RunningServe | undefined;

beforeAll(async () => {
  responder = await startPtrResponder();
});
afterAll(async () => {
  if (running) await stopServe(running);
  await responder.close();
  rmSync(dir, { recursive: true, force: true });
});

async function lookupIp(url: string, ip: string) {
  const response = await fetch(`${url}/api/v1/lookup/${ip}`);
  expect(response.status).toBe(200);
  const [result] = ((await response.json()) as LookupAnswer).results;
  if (result.kind !== 'ip') throw new Error(`not an ip result for ${ip}`);
  return result;
}

describe('flowlens serve --reverse-dns', () => {
  it('looks up PTR names of collected public destinations in the background and in lookups', async () => {
    const port = await freeUdpPort();
    running = await startServe([
      '--data',
      path.join(dir, 'on'),
      '--reverse-dns',
      `127.0.0.1:${responder.port}`,
      ...collectNetflowOn(port),
    ]);
    const url = running.url;
    // A collected flow to a public address queues its PTR query; nobody has looked it up.
    await sendDatagrams([connectionsTo(['1.2.3.9'])], port);
    await until('the PTR query of the collected destination', async () =>
      responder.asked.get('9.3.2.1.in-addr.arpa') ? true : undefined,
    );
    expect(await lookupIp(url, '1.2.3.9')).toMatchObject({
      ip: '1.2.3.9',
      reverseName: 'host-9.example.test',
    });
    // Answered from the cache: no second question.
    expect(responder.asked.get('9.3.2.1.in-addr.arpa')).toBe(1);

    expect((await lookupIp(url, '1.2.3.7')).reverseName).toBe('host-7.example.test');
    expect((await lookupIp(url, '1.2.3.5')).reverseName).toBeNull();
    // A resolver that never answers: the lookup still answers, within the wait (1.5 s) or the
    // query's timeout, whichever ends first: no name (null: failed, absent: not known yet).
    const started = Date.now();
    const unanswered = await lookupIp(url, '1.2.3.6');
    expect(Date.now() - started).toBeLessThan(2500);
    expect([null, undefined]).toContain(unanswered.reverseName);
    expect(unanswered.country).toBeDefined();
    // The enricher of the collected flows and of the lookups reports on /metrics.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('flowlens_enrich_flows_total')).toBeGreaterThanOrEqual(1);
    expect(value('flowlens_enrich_lookups_total')).toBeGreaterThanOrEqual(5);
    expect(value('flowlens_enrich_cache_hits_total')).toBeLessThanOrEqual(
      value('flowlens_enrich_lookups_total'),
    );
    expect(value('flowlens_enrich_cache_hit_ratio')).toBeGreaterThanOrEqual(0);
    expect(value('flowlens_enrich_cache_hit_ratio')).toBeLessThanOrEqual(1);
    expect(await stopServe(running)).toBe(0);
    running = undefined;
  }, 90_000);

  it('is off by default: lookups carry no reverseName', async () => {
    const port = await freeUdpPort();
    running = await startServe(['--data', path.join(dir, 'off'), ...collectNetflowOn(port)]);
    await sendDatagrams([connectionsTo(['1.2.3.10'])], port);
    const url = running.url;
    await until('the collected flow', async () => {
      const answer = (await (await fetch(`${url}/api/v1/flows?range=all&limit=100`)).json()) as {
        flows: unknown[];
      };
      return answer.flows.length > 0 ? true : undefined;
    });
    expect(await lookupIp(url, '1.2.3.10')).not.toHaveProperty('reverseName');
    expect(await stopServe(running)).toBe(0);
    running = undefined;
  }, 90_000);

  it('with --no-enrich is a usage error that says what to do', async () => {
    const capture = path.join(PROJECT_ROOT, 'test', 'fixtures', 'tcp-handshake-and-close.pcap');
    for (const args of [
      ['analyze', capture, '--no-enrich', '--reverse-dns'],
      ['serve', '--data', path.join(dir, 'refused'), '--no-enrich', '--reverse-dns'],
    ]) {
      const result = await runCli(args);
      expect(result.code, args[0]).toBe(2);
      expect(result.stderr, args[0]).toBe(
        'flowlens: --reverse-dns is part of enrichment: drop --no-enrich to use it\n',
      );
    }
  });
});
