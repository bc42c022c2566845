/**
 * report.html over real loopback HTTP: a server with the diagnosis renderer (as `flowlens serve`
 * wires it) analyses an upload in the built worker with every analyzer, and serves the report as
 * JSON (every analyzer's results, the health score, alerts, warnings) and as the self-contained
 * HTML page of `flowlens analyze --report`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_SECTIONS } from '../src/report/index.js';
import { createDiagnosisRenderer, type JobReport } from '../src/server/index.js';
import { corpusAvailable, corpusPath } from './support/corpus.js';
import {
  requireBuiltWorker,
  startTestServer,
  type TestServer,
  upload,
  waitForJob,
} from './support/server-harness.js';

describe.skipIf(!corpusAvailable)('GET /api/v1/jobs/:id/report.html', () => {
  let t: TestServer;
  beforeAll(async () => {
    requireBuiltWorker();
    t = await startTestServer({}, undefined, {
      renderer: createDiagnosisRenderer({ generator: 'flowlens test' }),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('renders the diagnosis of an uploaded capture', async () => {
    const response = await upload(t.url, corpusPath('encap_teredo_mixed.pcap'), {
      fileName: 'teredo <1>.pcap',
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const job = await waitForJob(t.url, id, (j) => j.status !== 'queued' && j.status !== 'running');
    expect(job.status).toBe('succeeded');

    const report = (await (await fetch(`${t.url}/api/v1/jobs/${id}/report.json`)).json()) as JobReport;
    expect(Object.keys(report.analysis)).toEqual(
      expect.arrayContaining([
        'app',
        'tcp',
        'dns',
        'icmp',
        'timing',
        'devices',
        'protocolHierarchy',
        'talkers',
        'throughput',
        'health',
        'alerts',
      ]),
    );
    const health = report.analysis.health as { score: number; components: unknown[] };
    expect(health.components).toHaveLength(6);
    expect((report.analysis.dns as { queries: number }).queries).toBeGreaterThan(0);
    expect(report.warnings).toEqual([]);

    const html = await fetch(`${t.url}/api/v1/jobs/${id}/report.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const text = await html.text();
    expect(text.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(text).toContain(`default-src 'none'`);
    for (const [section] of REPORT_SECTIONS) expect(text).toContain(`<section id="${section}"`);
    // The job's (escaped) file name in the title, the worker's health score beside it.
    expect(text).toContain(
      `<title>Flowlens diagnosis: teredo &lt;1&gt;.pcap — health ${health.score}/100</title>`,
    );
    // Sections filled from the worker's results, not "not available".
    for (const id of ['health', 'hierarchy', 'talkers', 'tcp', 'dns', 'icmp', 'timing', 'inventory']) {
      const start = text.indexOf(`<section id="${id}"`);
      expect(text.slice(start, text.indexOf('</section>', start)), id).not.toContain('>not available<');
    }
    expect(text).toContain('www.wireshark.org');
    expect(text).toContain('>no findings<');
    // Rendering again gives the same bytes (the footer's time is the job's end).
    expect(await (await fetch(`${t.url}/api/v1/jobs/${id}/report.html`)).text()).toBe(text);
  });

  it('answers 404 for an unknown job', async () => {
    const response = await fetch(`${t.url}/api/v1/jobs/00000000-0000-4000-8000-000000000000/report.html`);
    expect(response.status).toBe(404);
  });
});
