/**
 * `flowlens analyze FILES --report out.html --format json` end to end (the built CLI): the HTML
 * report it writes, opened in Debian's chromium (no console or page error, no request leaves the
 * page, every main section present and filled, a screenshot kept in test/artifacts/), and the
 * JSON output's `analysis`, whose every analyzer result must equal what that analyzer gives
 * in-process on the same files. `--report out.json` writes the same report as a JSON document.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHealthScore, resolveLinkLayer } from '../src/analyze/index.js';
import type { ProtocolHierarchy, ReportDocument } from '../src/model/index.js';
import {
  analyzeCaptures,
  type CaptureSummary,
  createDiagnosisAnalyzers,
  healthInputsOf,
} from '../src/pipeline/index.js';
import { REPORT_SECTIONS } from '../src/report/index.js';
import { corpusAvailable, corpusPath, PROJECT_ROOT } from './support/corpus.js';
import { runCli, toolsAvailable } from './support/run.js';

const ARTIFACTS = path.join(PROJECT_ROOT, 'test', 'artifacts');
const FILES = ['bulk_mixed_apps_1kxun.pcap', 'encap_gre_ipv4_mixed.pcap'];

interface CliOutput {
  summary: CaptureSummary;
  analysis: Record<string, unknown>;
}

/** JSON's view of a value (what the CLI's output can be compared with). */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const browserReady = toolsAvailable(['chromium']);

describe.skipIf(!corpusAvailable)('flowlens analyze --report', () => {
  let dir: string;
  let out: CliOutput;
  let htmlFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowlens-report-cli-'));
    htmlFile = path.join(dir, 'report.html');
    const result = await runCli([
      'analyze',
      ...FILES.map(corpusPath),
      '--report',
      htmlFile,
      '--format',
      'json',
      '--no-progress',
    ]);
    expect(result.code, result.stderr).toBe(0);
    out = JSON.parse(result.stdout) as CliOutput;
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('carries every analyzer result in --format json, equal to the analyzers run in-process', async () => {
    const { summary, analysis } = await analyzeCaptures({
      files: FILES.map(corpusPath),
      // The same analyzer set as the CLI (the hierarchy names applications by the app analyzer).
      analyzers: createDiagnosisAnalyzers(),
      onFlow() {},
    });
    expect(Object.keys(out.analysis)).toEqual(
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
    expect(out.summary.packets).toBe(summary.packets);
    for (const key of ['tcp', 'dns', 'icmp', 'timing', 'talkers', 'throughput']) {
      expect(out.analysis[key], key).toEqual(json(analysis[key]));
    }
    expect(out.analysis.protocolHierarchy).toEqual(
      json(resolveLinkLayer(analysis.protocolHierarchy as ProtocolHierarchy, summary)),
    );
    const inputs = healthInputsOf({
      packets: summary.packets,
      undecodable: summary.undecodable,
      warnings: summary.warnings,
      tcp: analysis.tcp as never,
      dns: analysis.dns as never,
      icmp: analysis.icmp as never,
      timing: analysis.timing as never,
    });
    expect(out.analysis.health).toEqual(json(computeHealthScore(inputs)));
    // The files hold TCP trouble, DNS and ICMP errors: the sources of the sections are not empty.
    expect((out.analysis.dns as { queries: number }).queries).toBeGreaterThan(0);
    expect((out.analysis.icmp as { unreachable: { total: number } }).unreachable.total).toBeGreaterThan(0);
    expect(
      (out.analysis.tcp as { issues: { retransmission: { count: number } } }).issues.retransmission.count,
    ).toBeGreaterThan(0);
  });

  it('writes the same report as a JSON document with --report out.json', async () => {
    const jsonFile = path.join(dir, 'report.json');
    const result = await runCli(['analyze', ...FILES.map(corpusPath), '--report', jsonFile, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Health ');
    const doc = JSON.parse(readFileSync(jsonFile, 'utf8')) as ReportDocument;
    expect(doc.formatVersion).toBe(1);
    expect(doc.generator).toMatch(/^flowlens \d+\.\d+\.\d+/);
    expect(doc.summary.files).toEqual(FILES.map(corpusPath));
    expect(doc.health).toEqual(out.analysis.health);
    expect(doc.protocolHierarchy).toEqual(out.analysis.protocolHierarchy);
    expect(doc.talkers).toEqual(out.analysis.talkers);
    expect(doc.throughput).toEqual(out.analysis.throughput);
    expect(doc.security).toEqual(out.analysis.alerts);
    expect(doc.tcp?.groups.map((g) => g.count)).toContain(
      (out.analysis.tcp as { issues: { retransmission: { count: number } } }).issues.retransmission.count,
    );
  });

  it('refuses a report path it cannot write before reading anything', async () => {
    const result = await runCli([
      'analyze',
      corpusPath(FILES[0]),
      '--report',
      path.join(dir, 'no', 'such', 'r.html'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^flowlens: cannot write the report to .*r\.html: it or its folder is missing/),
    ]);
  });

  describe.skipIf(!browserReady)('in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
      mkdirSync(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('renders cleanly, makes no request, and shows every section filled', async () => {
      const url = pathToFileURL(htmlFile).href;
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('request', (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      await context.route('**/*', (route) =>
        route.request().url() === url ? route.continue() : route.abort('blockedbyclient'),
      );
      await page.goto(url, { waitUntil: 'load' });

      for (const [id, title] of REPORT_SECTIONS) {
        await expect(page.locator(`#${id} > h2`).textContent()).resolves.toBe(title);
        expect(await page.locator(`#${id}`).isVisible(), id).toBe(true);
      }
      for (const id of [
        'health',
        'throughput',
        'hierarchy',
        'talkers',
        'tcp',
        'dns',
        'icmp',
        'timing',
        'inventory',
      ]) {
        expect(await page.locator(`#${id} > p.na`).allTextContents(), `${id} is filled`).not.toContain(
          'not available',
        );
      }
      const health = out.analysis.health as { score: number };
      expect(await page.locator('#health svg.gauge text').first().textContent()).toBe(String(health.score));
      expect(await page.locator('#throughput svg.chart path.area').count()).toBe(1);
      expect(await page.locator('#tcp h3[data-issue="retransmission"]').count()).toBe(1);
      const filter = await page.locator('#tcp code').first().textContent();
      expect(filter).toMatch(/^ip\.addr==\S+ && ip\.addr==\S+ && tcp\.port==\d+ && tcp\.port==\d+$/);
      expect(await page.locator('#dns tbody tr').count()).toBeGreaterThan(3);
      expect(await page.locator('#icmp tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('#inventory tbody tr').count()).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(ARTIFACTS, 'report-cli.png'), fullPage: true });
      expect({ problems, requests }).toEqual({ problems: [], requests: [] });
      await context.close();
    });
  });
});
