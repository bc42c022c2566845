/**
 * The short diagnosis section of the table view: the health score and its main reasons, then
 * what each analyzer found, in a few lines each (TCP, DNS, ICMP, timing, applications, security
 * findings, devices). Sections of analyzers that did not run are left out.
 */
import type { AppInventory, DeviceInventory } from '../../analyze/index.js';
import type {
  Alert,
  DnsSummary,
  HealthScore,
  IcmpSummary,
  TcpAnalysisSummary,
  TimingSummary,
} from '../../model/index.js';
import { formatCount, indent, renderTable } from '../format.js';

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

function msValue(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${value.toFixed(1)} ms`;
}

/** The score, then the components that lost points, most first (at most three). */
function healthLines(health: HealthScore): string[] {
  const lines = [
    '',
    `Health ${health.score}/100 (${health.grade}; ${health.measuredComponents} of ${health.components.length} components measured)`,
  ];
  const deducted = health.components.filter((c) => c.deducted > 0).sort((a, b) => b.deducted - a.deducted);
  for (const c of deducted.slice(0, 3)) lines.push(`  ${c.label}: ${c.explanation}`);
  if (deducted.length === 0) lines.push('  no deductions');
  const unmeasured = health.components.filter((c) => !c.measured).map((c) => c.label);
  if (unmeasured.length > 0) lines.push(`  not measured: ${unmeasured.join(', ')}`);
  return lines;
}

function dnsLines(dns: DnsSummary): string[] {
  if (dns.queries + dns.responses === 0) return [];
  const errors = Object.entries(dns.rcodes).filter(([rcode]) => rcode !== 'NOERROR');
  const rt = dns.responseTime;
  return [
    '',
    `DNS (${formatCount(dns.queries)} queries, ${formatCount(dns.responses)} responses)`,
    `  answered ${formatCount(dns.answered)}, unanswered ${formatCount(dns.unanswered)}; response time median ${msValue(rt?.p50Ms)}, p95 ${msValue(rt?.p95Ms)}`,
    `  errors: ${errors.length > 0 ? top(errors) : 'none'}`,
    ...(dns.topNames.length > 0 ? [`  top names: ${top(dns.topNames.map((n) => [n.name, n.count]))}`] : []),
  ];
}

function icmpLines(icmp: IcmpSummary): string[] {
  if (icmp.messages === 0) return [];
  const unreachable = Object.entries(icmp.unreachable.byCode);
  const e = icmp.echo;
  return [
    '',
    `ICMP (${formatCount(icmp.messages)} messages)`,
    `  unreachable: ${unreachable.length > 0 ? top(unreachable) : 'none'}; TTL exceeded ${formatCount(icmp.timeExceeded.ttl)}; fragmentation needed ${formatCount(icmp.pmtu.messages)}${icmp.pmtu.minMtu === null ? '' : ` (MTU ≥ ${icmp.pmtu.minMtu})`}`,
    `  echo: ${formatCount(e.requests)} requests, ${formatCount(e.unanswered)} unanswered; RTT median ${msValue(e.rtt?.p50Ms)}, p95 ${msValue(e.rtt?.p95Ms)}`,
  ];
}

function timingLines(timing: TimingSummary): string[] {
  const { gaps, jitter, bursts } = timing;
  if (timing.frames === 0) return [];
  const lines = ['', 'Timing'];
  lines.push(
    `  gaps over ${gaps.thresholdSeconds} s: ${formatCount(gaps.count)}${gaps.count > 0 ? `, longest ${gaps.longestSeconds.toFixed(1)} s` : ''}; busiest ${bursts.windowSeconds * 1000} ms: ${formatCount(bursts.maxPackets)} packets (${bursts.peakToMean.toFixed(1)}× the mean)`,
  );
  if (jitter.directions > 0)
    lines.push(
      `  jitter (RFC 3393) of ${formatCount(jitter.directions)} media directions: mean ${msValue(jitter.meanMs)}, p95 ${msValue(jitter.p95Ms)}`,
    );
  return lines;
}

export function diagnosisLines(analysis: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const health = analysis.health as HealthScore | undefined;
  if (health) lines.push(...healthLines(health));
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
  const dns = analysis.dns as DnsSummary | undefined;
  if (dns) lines.push(...dnsLines(dns));
  const icmp = analysis.icmp as IcmpSummary | undefined;
  if (icmp) lines.push(...icmpLines(icmp));
  const timing = analysis.timing as TimingSummary | undefined;
  if (timing) lines.push(...timingLines(timing));
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
    const rows = devices.devices
      .slice(0, SHOWN)
      .map((d) => [
        d.mac,
        d.vendor ?? (d.randomizedMac ? '(randomized MAC)' : '-'),
        d.addresses.map((a) => a.ip).join(', ') || '-',
        d.names.map((n) => n.name).join(', ') || '-',
        d.osGuess?.os ?? '-',
      ]);
    if (rows.length > 0) lines.push(indent(renderTable(['mac', 'vendor', 'addresses', 'names', 'os'], rows)));
    if (devices.devices.length > SHOWN)
      lines.push(`  … ${devices.devices.length - SHOWN} more; --format json lists them`);
    const notable = devices.events.filter((e) => e.type !== 'new-device');
    for (const e of notable.slice(0, SHOWN)) lines.push(`  ${e.severity.toUpperCase()}: ${e.explanation}`);
  }
  return lines;
}
