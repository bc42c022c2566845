/**
 * The report's generic sections (facts, tables, notes) from the DNS, ICMP, timing and application
 * analyzers' results: DNS, ICMP, timing (gaps, jitter, bursts) and the TLS/HTTP/QUIC inventory.
 *
 * Contract: pure. Every value is copied as it is (strings from the capture included: report/
 * escapes them); times become ISO 8601 text, durations milliseconds ('ms' columns). Tables with
 * no rows are left out (the facts say the count is 0).
 */
import type { AppInventory, CountedName, DeviceInventory } from '../analyze/index.js';
import type {
  DnsSummary,
  DnsTransactionSample,
  DurationStats,
  IcmpSummary,
  ReportFact,
  ReportSection,
  ReportTable,
  TimingSummary,
} from '../model/index.js';
import { groupedInteger } from '../shared/index.js';

const filled = (tables: ReportTable[]): ReportTable[] => tables.filter((t) => t.rows.length > 0);

/** A length of time as text: '850.0 ms', '1.68 s', '12 min 3 s', '5 h 2 min', '2,133 days'. */
export function durationText(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toFixed(1)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.floor(seconds % 60)} s`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${groupedInteger(Math.floor(seconds / 86_400))} days`;
}

/** Seconds since the epoch → ISO 8601 text, or null. */
export function isoTime(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  return new Date(seconds * 1000).toISOString();
}

function countTable(
  title: string,
  label: string,
  entries: [string, number][],
  countLabel = 'Count',
): ReportTable {
  return {
    title,
    columns: [
      { key: 'name', label },
      { key: 'count', label: countLabel, kind: 'number' },
    ],
    rows: entries.map(([name, count]) => ({ name, count })),
  };
}

function durationFacts(prefix: string, stats: DurationStats | null): ReportFact[] {
  if (stats === null) return [{ label: `${prefix} median`, value: null }];
  return [
    { label: `${prefix} median`, value: stats.p50Ms, kind: 'ms' },
    { label: `${prefix} p95`, value: stats.p95Ms, kind: 'ms' },
    { label: `${prefix} max`, value: stats.maxMs, kind: 'ms' },
  ];
}

function transactionTable(title: string, samples: DnsTransactionSample[], timed: boolean): ReportTable {
  return {
    title,
    columns: [
      { key: 'time', label: 'Time' },
      { key: 'client', label: 'Client' },
      { key: 'server', label: 'Server' },
      { key: 'qname', label: 'Name' },
      { key: 'qtype', label: 'Type' },
      ...(timed
        ? [
            { key: 'rcode', label: 'Rcode' },
            { key: 'responseTimeMs', label: 'Response time', kind: 'ms' as const },
          ]
        : [{ key: 'transport', label: 'Transport' }]),
    ],
    rows: samples.map((s) => ({
      time: isoTime(s.ts),
      client: s.client,
      server: s.server,
      qname: s.qname,
      qtype: s.qtype,
      rcode: s.rcode ?? null,
      responseTimeMs: s.responseTimeMs ?? null,
      transport: s.transport,
    })),
  };
}

export function dnsSection(dns: DnsSummary): ReportSection {
  const notes: string[] = [];
  if (dns.namesNotCounted > 0)
    notes.push(`${dns.namesNotCounted} queries were not counted by name: the name table was full.`);
  if (dns.unansweredSamplesDropped > 0)
    notes.push(`${dns.unansweredSamplesDropped} more unanswered queries are not listed.`);
  if (dns.fragmentedIncomplete > 0)
    notes.push(
      `${dns.fragmentedIncomplete} IP-fragmented DNS datagrams never completed and are not counted.`,
    );
  return {
    facts: [
      { label: 'Queries', value: dns.queries, kind: 'number' },
      { label: 'Responses', value: dns.responses, kind: 'number' },
      { label: 'Answered', value: dns.answered, kind: 'number' },
      { label: 'Unanswered', value: dns.unanswered, kind: 'number' },
      { label: 'Retransmitted queries', value: dns.retransmissions, kind: 'number' },
      ...durationFacts('Response time', dns.responseTime),
      { label: 'Distinct names', value: dns.distinctNames, kind: 'number' },
      { label: 'Malformed messages', value: dns.malformed, kind: 'number' },
      { label: 'Over UDP / TCP', value: `${dns.udpMessages} / ${dns.tcpMessages}` },
    ],
    tables: filled([
      countTable('Response codes', 'Rcode', Object.entries(dns.rcodes), 'Responses'),
      countTable(
        'Top names',
        'Name',
        dns.topNames.map((n) => [n.name, n.count]),
        'Queries',
      ),
      countTable(
        'Query types',
        'Type',
        dns.topQueryTypes.map((n) => [n.name, n.count]),
        'Queries',
      ),
      transactionTable('Slowest transactions', dns.slowest, true),
      transactionTable('Unanswered queries', dns.unansweredSamples, false),
    ]),
    notes,
  };
}

export function icmpSection(icmp: IcmpSummary): ReportSection {
  const e = icmp.echo;
  return {
    facts: [
      { label: 'Messages', value: icmp.messages, kind: 'number' },
      { label: 'ICMPv4 / ICMPv6', value: `${icmp.icmpv4} / ${icmp.icmpv6}` },
      { label: 'Unreachable', value: icmp.unreachable.total, kind: 'number' },
      { label: 'TTL exceeded', value: icmp.timeExceeded.ttl, kind: 'number' },
      { label: 'Reassembly time exceeded', value: icmp.timeExceeded.reassembly, kind: 'number' },
      { label: 'Fragmentation needed / too big', value: icmp.pmtu.messages, kind: 'number' },
      { label: 'Smallest MTU', value: icmp.pmtu.minMtu, kind: 'number' },
      { label: 'Redirects', value: icmp.redirects, kind: 'number' },
      { label: 'Parameter problems', value: icmp.parameterProblems, kind: 'number' },
      { label: 'Echo requests / replies', value: `${e.requests} / ${e.replies}` },
      { label: 'Echo unanswered', value: e.unanswered, kind: 'number' },
      ...durationFacts('Echo RTT', e.rtt),
    ],
    tables: filled([
      countTable('Unreachable by code', 'Code', Object.entries(icmp.unreachable.byCode)),
      countTable('Path MTU', 'MTU', Object.entries(icmp.pmtu.mtus), 'Messages'),
      {
        title: 'Error messages',
        columns: [
          { key: 'time', label: 'Time' },
          { key: 'kind', label: 'Kind' },
          { key: 'code', label: 'Code' },
          { key: 'from', label: 'From' },
          { key: 'to', label: 'To' },
          { key: 'original', label: 'About (dst, protocol, port)' },
          { key: 'mtu', label: 'MTU', kind: 'number' },
        ],
        rows: icmp.errors.map((err) => ({
          time: isoTime(err.ts),
          kind: err.kind,
          code: err.code,
          from: err.from,
          to: err.to,
          original: [err.originalDst, err.originalProtocol, err.originalDstPort]
            .filter((v) => v !== undefined)
            .join(' '),
          mtu: err.mtu ?? null,
        })),
        omittedRows: icmp.errorsDropped,
      },
    ]),
  };
}

export function timingSection(timing: TimingSummary): ReportSection {
  const { gaps, jitter, bursts } = timing;
  return {
    facts: [
      { label: `Gaps over ${gaps.thresholdSeconds} s`, value: gaps.count, kind: 'number' },
      { label: 'Time in gaps', value: durationText(gaps.totalSeconds) },
      { label: 'Longest gap', value: durationText(gaps.longestSeconds) },
      { label: 'Time going backwards', value: gaps.backwardSteps, kind: 'number' },
      { label: 'Media directions (jitter)', value: jitter.directions, kind: 'number' },
      { label: 'Jitter mean', value: jitter.meanMs, kind: 'ms' },
      { label: 'Jitter p95', value: jitter.p95Ms, kind: 'ms' },
      { label: 'Jitter max', value: jitter.maxMs, kind: 'ms' },
      { label: `Busiest ${bursts.windowSeconds * 1000} ms`, value: bursts.maxPackets, kind: 'number' },
      {
        label: 'Peak / mean per active window',
        value: Math.round(bursts.peakToMean * 100) / 100,
        kind: 'number',
      },
    ],
    tables: filled([
      {
        title: 'Capture gaps',
        columns: [
          { key: 'from', label: 'From' },
          { key: 'to', label: 'To' },
          { key: 'length', label: 'Length' },
        ],
        rows: gaps.list.map((g) => ({
          from: isoTime(g.fromTs),
          to: isoTime(g.toTs),
          length: durationText(g.seconds),
        })),
        omittedRows: gaps.count - gaps.list.length,
      },
      {
        title: 'Jitter of media flows (RFC 3393 IPDV)',
        columns: [
          { key: 'from', label: 'Sender' },
          { key: 'to', label: 'Receiver' },
          { key: 'packets', label: 'Packets', kind: 'number' },
          { key: 'meanMs', label: 'Mean |IPDV|', kind: 'ms' },
          { key: 'maxMs', label: 'Max |IPDV|', kind: 'ms' },
          { key: 'method', label: 'Method' },
        ],
        rows: jitter.worst.map((j) => ({
          from: `${j.src}:${j.srcPort}`,
          to: `${j.dst}:${j.dstPort}`,
          packets: j.packets,
          meanMs: j.ipdvMeanMs,
          maxMs: j.ipdvMaxMs,
          method: j.method,
        })),
      },
      {
        title: 'Busiest windows',
        columns: [
          { key: 'time', label: 'Start' },
          { key: 'packets', label: 'Packets', kind: 'number' },
          { key: 'bytes', label: 'Bytes', kind: 'bytes' },
        ],
        rows: bursts.top.map((b) => ({ time: isoTime(b.ts), packets: b.packets, bytes: b.bytes })),
      },
    ]),
  };
}

const named = (list: CountedName[]): [string, number][] => list.map((n) => [n.value, n.flows]);

export function inventorySection(app: AppInventory): ReportSection {
  const c = app.counters;
  const notes = Object.entries(app.dropped).map(
    ([list, n]) => `${n} ${list} names were not kept: the list reached its size limit.`,
  );
  return {
    facts: [
      { label: 'Flows', value: app.flows, kind: 'number' },
      { label: 'Identified by payload', value: app.identifiedBy.payload, kind: 'number' },
      { label: 'Identified by port', value: app.identifiedBy.port, kind: 'number' },
      { label: 'TLS ClientHellos', value: c.tlsClientHellos, kind: 'number' },
      { label: 'HTTP requests', value: c.httpRequests, kind: 'number' },
      { label: 'QUIC Initials decrypted', value: c.quicInitialsDecrypted, kind: 'number' },
    ],
    tables: filled([
      countTable('Applications', 'Application', Object.entries(app.applications), 'Flows'),
      countTable('TLS versions', 'Version', Object.entries(app.tlsVersions), 'Flows'),
      countTable('QUIC versions', 'Version', Object.entries(app.quicVersions), 'Flows'),
      countTable('TLS / QUIC server names (SNI)', 'Server name', named(app.topSni), 'Flows'),
      countTable('HTTP hosts', 'Host', named(app.topHttpHosts), 'Flows'),
      countTable('HTTP user agents', 'User-Agent', named(app.topUserAgents), 'Flows'),
      countTable('JA4 client fingerprints', 'JA4', named(app.topJa4), 'Flows'),
    ]),
    notes,
  };
}

/** Devices listed in the report at most; the rest are counted. */
const MAX_DEVICES = 200;

export function devicesSection(inventory: DeviceInventory): ReportSection {
  const devices = [...inventory.devices].sort((a, b) => b.bytes - a.bytes);
  const shown = devices.slice(0, MAX_DEVICES);
  const notes: string[] = [];
  if (inventory.dropped.devices > 0) {
    notes.push(
      `${inventory.dropped.devices} more devices were not tracked: the inventory reached its size limit.`,
    );
  }
  return {
    facts: [
      { label: 'Devices', value: devices.length, kind: 'number' },
      { label: 'Randomised MACs', value: devices.filter((d) => d.randomizedMac).length, kind: 'number' },
      { label: 'Events', value: inventory.events.length, kind: 'number' },
    ],
    tables: filled([
      {
        title: 'Devices (most traffic first)',
        columns: [
          { key: 'mac', label: 'MAC' },
          { key: 'vendor', label: 'Vendor' },
          { key: 'addresses', label: 'Addresses' },
          { key: 'names', label: 'Names' },
          { key: 'os', label: 'OS guess' },
          { key: 'packets', label: 'Packets', kind: 'number' },
          { key: 'bytes', label: 'Bytes', kind: 'bytes' },
          { key: 'firstSeen', label: 'First seen' },
          { key: 'lastSeen', label: 'Last seen' },
        ],
        rows: shown.map((d) => ({
          mac: d.randomizedMac ? `${d.mac} (randomised)` : d.mac,
          vendor: d.vendor ?? null,
          addresses: d.addresses.map((a) => a.ip).join(', ') || null,
          names:
            [
              ...new Set([...d.names.map((n) => n.name), ...(d.dhcp?.hostname ? [d.dhcp.hostname] : [])]),
            ].join(', ') || null,
          os: d.osGuess?.os ?? null,
          packets: d.packets,
          bytes: d.bytes,
          firstSeen: isoTime(d.firstSeen),
          lastSeen: isoTime(d.lastSeen),
        })),
        omittedRows: devices.length - shown.length,
      },
      {
        title: 'Device events',
        columns: [
          { key: 'time', label: 'Time' },
          { key: 'severity', label: 'Severity' },
          { key: 'type', label: 'Event' },
          { key: 'explanation', label: 'What happened' },
        ],
        rows: inventory.events.slice(0, MAX_DEVICES).map((e) => ({
          time: isoTime(e.ts),
          severity: e.severity,
          type: e.type,
          explanation: e.explanation,
        })),
        omittedRows: Math.max(0, inventory.events.length - MAX_DEVICES),
      },
    ]),
    notes,
  };
}
