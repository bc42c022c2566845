/**
 * The short diagnosis section of the table view: what the analyzers found, in a few lines each
 * (applications and server names; devices and their events). Sections of analyzers that did
 * not run are left out.
 */
import type { AppInventory, DeviceInventory } from '../../analyze/index.js';
import type { Alert, TcpAnalysisSummary } from '../../model/index.js';
import { formatCount } from '../format.js';

const SHOWN = 5;

function top(entries: [string, number][]): string {
  return entries
    .sort((a, b) => b[1] - a[1])
    .slice(0, SHOWN)
    .map(([name, n]) => `${name} ${formatCount(n)}`)
    .join(', ');
}

function ms(seconds: number | null): string {
  return seconds === null ? '-' : `${(seconds * 1000).toFixed(1)} ms`;
}

export function diagnosisLines(analysis: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const tcp = analysis.tcp as TcpAnalysisSummary | undefined;
  if (tcp && tcp.tcpFlows > 0) {
    lines.push('', `TCP (${formatCount(tcp.tcpFlows)} connections)`);
    const h = tcp.handshakes;
    lines.push(
      `  handshakes: ${formatCount(h.complete)} complete, ${formatCount(h.unanswered)} unanswered, ${formatCount(h.refused)} refused, ${formatCount(h.reset)} reset; median ${ms(h.total.median)}, p95 ${ms(h.total.p95)}`,
    );
    lines.push(`  initial RTT: median ${ms(tcp.initialRtt.median)}, p95 ${ms(tcp.initialRtt.p95)}`);
    const issues = Object.entries(tcp.issues)
      .filter(([, issue]) => issue.count > 0)
      .map(([name, issue]): [string, number] => [name, issue.count]);
    lines.push(`  issues: ${issues.length > 0 ? top(issues) : 'none'}`);
    const worst = Object.entries(tcp.issues).find(
      ([name, issue]) => name === 'retransmission' && issue.topFlows.length > 0,
    );
    if (worst) lines.push(`  most retransmissions: ${worst[1].topFlows[0].filter}`);
  }
  const app = analysis.app as AppInventory | undefined;
  if (app) {
    lines.push('', 'Applications (flows)');
    const apps = Object.entries(app.applications);
    lines.push(`  ${apps.length > 0 ? top(apps) : 'none identified'}`);
    if (app.topSni.length > 0)
      lines.push(`  TLS/QUIC servers: ${top(app.topSni.map((s) => [s.value, s.flows]))}`);
    if (app.topHttpHosts.length > 0) {
      lines.push(`  HTTP hosts: ${top(app.topHttpHosts.map((s) => [s.value, s.flows]))}`);
    }
  }
  const alerts = analysis.alerts as Alert[] | undefined;
  if (alerts) {
    lines.push('', `Security findings (${formatCount(alerts.length)})`);
    if (alerts.length === 0) lines.push('  none');
    const ranked = [...alerts].sort((a, b) => b.score - a.score);
    for (const a of ranked.slice(0, SHOWN)) {
      lines.push(`  ${a.severity.toUpperCase()} ${a.type} [${a.mitre.join(',')}]: ${a.explanation}`);
    }
    if (alerts.length > SHOWN) lines.push(`  … ${alerts.length - SHOWN} more; --format json lists them`);
  }
  const devices = analysis.devices as DeviceInventory | undefined;
  if (devices) {
    lines.push('', `Devices (${formatCount(devices.devices.length)})`);
    for (const d of devices.devices.slice(0, SHOWN)) {
      const names = d.names.map((n) => n.name).join(', ');
      const addresses = d.addresses.map((a) => a.ip).join(', ');
      lines.push(`  ${d.mac}  ${[addresses, names, d.osGuess?.os].filter((x) => x).join('  ') || '-'}`);
    }
    if (devices.devices.length > SHOWN)
      lines.push(`  … ${devices.devices.length - SHOWN} more; --format json lists them`);
    const notable = devices.events.filter((e) => e.type !== 'new-device');
    for (const e of notable.slice(0, SHOWN)) lines.push(`  ${e.severity.toUpperCase()}: ${e.explanation}`);
  }
  return lines;
}
