/**
 * `renderReportHtml`: one self-contained HTML file from a ReportDocument, and `renderReportJson`.
 *
 * Contract: the HTML makes no network request: styles, the SVG charts and the small script (theme
 * toggle, copy buttons) are inline, there are no external URLs, and a Content-Security-Policy
 * (`default-src 'none'`, the script allowed by its hash) stops the browser from loading anything
 * even if a string slipped through. Every capture string is escaped (escape.ts). Sections whose
 * data is absent say "not available". Pure: the same document gives the same bytes.
 */
import { createHash } from 'node:crypto';
import type { ReportDocument } from '../model/index.js';
import { escapeHtml } from './escape.js';
import {
  healthBody,
  hierarchyBody,
  securityBody,
  summaryBody,
  talkersBody,
  tcpBody,
  throughputBody,
  warningsBody,
} from './sections.js';
import { REPORT_CSS } from './styles.js';
import { renderSection } from './tables.js';

/** Section ids, in page order; tests and links rely on them. */
export const REPORT_SECTIONS = [
  ['summary', 'Summary'],
  ['health', 'Health score'],
  ['throughput', 'Throughput'],
  ['hierarchy', 'Protocol hierarchy'],
  ['talkers', 'Top talkers'],
  ['tcp', 'TCP issues'],
  ['dns', 'DNS'],
  ['icmp', 'ICMP'],
  ['timing', 'Timing'],
  ['inventory', 'TLS / HTTP / QUIC'],
  ['devices', 'Devices'],
  ['geography', 'Countries, networks and threats'],
  ['security', 'Security findings'],
  ['warnings', 'Warnings'],
] as const;
export type ReportSectionId = (typeof REPORT_SECTIONS)[number][0];

const SCRIPT = `(function(){var d=document.documentElement,k='flowlens-theme';
try{var s=localStorage.getItem(k);if(s==='light'||s==='dark')d.setAttribute('data-theme',s);}catch(e){}
var t=document.getElementById('theme-toggle');if(t)t.addEventListener('click',function(){
var dark=d.getAttribute('data-theme')==='dark'||(!d.getAttribute('data-theme')&&matchMedia('(prefers-color-scheme: dark)').matches);
var n=dark?'light':'dark';d.setAttribute('data-theme',n);try{localStorage.setItem(k,n);}catch(e){}});
document.addEventListener('click',function(e){var b=e.target;if(!b||!b.getAttribute||!b.hasAttribute('data-copy'))return;
var v=b.getAttribute('data-copy'),done=function(){b.textContent='copied';setTimeout(function(){b.textContent='copy';},1200);};
if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(v).then(done,function(){});}
else{var a=document.createElement('textarea');a.value=v;document.body.appendChild(a);a.select();try{document.execCommand('copy');done();}catch(x){}a.remove();}});})();`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');
const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;

function body(doc: ReportDocument, id: ReportSectionId): string {
  switch (id) {
    case 'summary':
      return summaryBody(doc.summary);
    case 'health':
      return healthBody(doc.health);
    case 'throughput':
      return throughputBody(doc.throughput);
    case 'hierarchy':
      return hierarchyBody(doc.protocolHierarchy);
    case 'talkers':
      return talkersBody(doc.talkers);
    case 'tcp':
      return tcpBody(doc.tcp);
    case 'dns':
      return renderSection(doc.dns);
    case 'icmp':
      return renderSection(doc.icmp);
    case 'timing':
      return renderSection(doc.timing);
    case 'inventory':
      return renderSection(doc.inventory);
    case 'devices':
      return renderSection(doc.devices);
    case 'geography':
      return renderSection(doc.geography);
    case 'security':
      return securityBody(doc.security);
    case 'warnings':
      return warningsBody(doc.warnings);
  }
}

export function renderReportHtml(doc: ReportDocument): string {
  const nav = REPORT_SECTIONS.map(([id, title]) => `<a href="#${id}">${escapeHtml(title)}</a>`).join('');
  const sections = REPORT_SECTIONS.map(
    ([id, title]) =>
      `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${escapeHtml(title)}</h2>${body(doc, id)}</section>`,
  ).join('\n');
  const score = doc.health === undefined ? '' : ` — health ${doc.health.score}/100`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${escapeHtml(doc.generator)}">
<title>${escapeHtml(doc.title + score)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="top"><h1>${escapeHtml(doc.title)}</h1><nav class="sections" aria-label="sections">${nav}</nav>
<button type="button" id="theme-toggle" class="no-print" aria-label="toggle light and dark theme">theme</button></header>
<main>
${sections}
</main>
<footer>${escapeHtml(`${doc.generator} · generated ${doc.generatedAt}`)}</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The document as pretty-printed JSON (non-finite numbers become null), ending with a newline. */
export function renderReportJson(doc: ReportDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
