import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReportDocument } from './document.js';
import { REPORT_SECTIONS, renderReportHtml, renderReportJson } from './html.js';
import { fixtureDocument } from './testing/fixture-document.js';
import { HOSTILE_STRINGS } from './testing/hostile.js';

const ALLOWED_TAGS = new Set(
  'html head meta title style body header h1 h2 h3 nav a button main section div span p strong ul li code table thead tbody tr th td svg circle text line path footer script'.split(
    ' ',
  ),
);

function sectionHtml(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('renderReportHtml', () => {
  const html = renderReportHtml(fixtureDocument());

  it('has every section, in order, with a heading and a nav link', () => {
    let last = -1;
    for (const [id, title] of REPORT_SECTIONS) {
      const at = html.indexOf(`<section id="${id}"`);
      expect(at, id).toBeGreaterThan(last);
      last = at;
      expect(html).toContain(`<a href="#${id}">`);
      expect(sectionHtml(html, id)).toContain(`>${title}</h2>`);
    }
  });

  it('says "not available" for absent sections instead of failing', () => {
    expect(sectionHtml(html, 'icmp')).toContain('<p class="na">not available</p>');
    const minimal = renderReportHtml(createReportDocument({ summary: fixtureDocument().summary }));
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
      'devices',
      'geography',
    ]) {
      expect(sectionHtml(minimal, id), id).toContain('not available');
    }
    expect(sectionHtml(minimal, 'security')).toContain('detection did not run');
    expect(sectionHtml(minimal, 'warnings')).toContain('no warnings');
  });

  it('escapes every hostile string from the capture', () => {
    for (const hostile of HOSTILE_STRINGS) expect(html).not.toContain(hostile);
    const tags = new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1].toLowerCase()));
    expect([...tags].filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect((html.match(/<[a-zA-Z][^>]*>/g) ?? []).filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
  });

  it('references nothing outside the file and locks it down with a CSP', () => {
    // Real tags only: escaped text holds no '<'.
    const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(tags.filter((t) => /\s(?:src|href|action|xlink:href)\s*=\s*(?!["']?#)/i.test(t))).toEqual([]);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    expect(html).toContain(`default-src 'none'`);
    expect(html).toContain(`script-src 'sha256-${hash}'`);
  });

  it('draws the throughput chart and the health gauge inline', () => {
    expect(sectionHtml(html, 'throughput')).toMatch(/<svg class="chart"[^>]*>[\s\S]*<path class="area" d="M/);
    expect(sectionHtml(html, 'health')).toContain('health score');
    expect(sectionHtml(html, 'health')).toContain('not measured');
  });

  it('puts a ready Wireshark filter on each affected TCP flow', () => {
    const tcp = sectionHtml(html, 'tcp');
    expect(tcp).toContain(
      '<code>ip.addr==10.0.0.1 &amp;&amp; ip.addr==93.184.216.34 &amp;&amp; tcp.port==51234 &amp;&amp; tcp.port==443</code>',
    );
    expect(tcp).toContain('ipv6.addr==2001:db8::1');
    expect(tcp).toContain('3 more flows not shown');
  });

  it('is responsive, printable and themable', () => {
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
    expect(html).toContain('@media print');
    expect(html).toContain('prefers-color-scheme:dark');
    expect(html).toContain('id="theme-toggle"');
  });

  it('is deterministic', () => {
    expect(renderReportHtml(fixtureDocument())).toBe(html);
  });
});

describe('renderReportJson', () => {
  it('round-trips the document', () => {
    const doc = fixtureDocument();
    expect(JSON.parse(renderReportJson(doc))).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(renderReportJson(doc).endsWith('}\n')).toBe(true);
  });
});
