/**
 * Floods and DDoS (T1498, T1499): per target address, within `flood.windowSeconds`, the rate of
 * unanswered SYNs (SYN flood; the SYN/SYN-ACK imbalance is reported), unanswered UDP packets and
 * ICMP echo requests, and the number of distinct sources (linear counting on an 8,192-bit map, so
 * a spoofed flood costs one kilobyte per target). Separately, over `reflectionWindowSeconds`,
 * reflection/amplification: unsolicited UDP from an amplification port (`reflectionPorts`: DNS,
 * NTP, SSDP, memcached, …) from ≥ `minReflectors` distinct hosts with large packets.
 * Multicast and broadcast targets are ignored.
 */
import type { FlowRecord } from '../model/index.js';
import type { DetectionContext, Detector } from './detector.js';
import { DST_GROUP, keepEvidence } from './detector.js';
import { bytes, count, rate, scoreOver, seconds } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

const BITMAP_BITS = 8192;
const EXACT_SOURCES = 16;
const MAX_REFLECTORS = 4096;
const REFLECTION_WINDOW_FACTOR = 6;
const SYN = 0x02;
/** One source spreading over more ports than this is scanning (port-scan), not flooding. */
const MAX_PORTS = 16;

const PORT_NAMES: Record<number, string> = {
  53: 'DNS',
  123: 'NTP',
  19: 'chargen',
  161: 'SNMP',
  389: 'CLDAP',
  1900: 'SSDP',
  11211: 'memcached',
  3702: 'WS-Discovery',
  3283: 'ARD',
  17: 'QOTD',
  69: 'TFTP',
  137: 'NetBIOS',
  520: 'RIP',
  111: 'portmap',
};

/** Distinct-source estimate: exact for the first few, then linear counting (Whang et al. 1990). */
class SourceCounter {
  private exact: string[] = [];
  private bits: Uint32Array | undefined;
  private zeros = BITMAP_BITS;

  add(ip: string): void {
    if (this.bits === undefined) {
      if (this.exact.includes(ip)) return;
      this.exact.push(ip);
      if (this.exact.length <= EXACT_SOURCES) return;
      this.bits = new Uint32Array(BITMAP_BITS / 32);
      for (const known of this.exact) this.set(known);
      this.exact = [];
      return;
    }
    this.set(ip);
  }

  private set(ip: string): void {
    let h = 0x811c9dc5;
    for (let i = 0; i < ip.length; i++) h = Math.imul(h ^ ip.charCodeAt(i), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
    const bit = (h >>> 0) % BITMAP_BITS;
    const bits = this.bits as Uint32Array;
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((bits[word] & mask) === 0) {
      bits[word] |= mask;
      this.zeros--;
    }
  }

  get estimate(): number {
    if (this.bits === undefined) return this.exact.length;
    const zeros = Math.max(this.zeros, 1);
    return Math.round(-BITMAP_BITS * Math.log(zeros / BITMAP_BITS));
  }

  /** True when the map is nearly full: the estimate is then a lower bound. */
  get saturated(): boolean {
    return this.bits !== undefined && this.zeros < BITMAP_BITS / 100;
  }

  get single(): string | undefined {
    return this.bits === undefined && this.exact.length === 1 ? this.exact[0] : undefined;
  }
}

interface RateState extends Windowed {
  minFirst: number;
  lastTs: number;
  syn: number;
  synAcked: number;
  udpPackets: number;
  udpBytes: number;
  icmpPackets: number;
  /** The last destination port seen, and the first (-1 before any). */
  port: number;
  firstPort: number;
  /** Distinct destination ports, counted up to MAX_PORTS; made at the second distinct port. */
  ports: Set<number> | undefined;
  /** The first source; the counter is made at the second distinct source (most targets see one). */
  firstSource: string;
  sources: SourceCounter | undefined;
  evidence: string[];
}

function portCount(s: RateState): number {
  return s.ports !== undefined ? s.ports.size : s.firstPort === -1 ? 0 : 1;
}

function sourceCount(s: RateState): number {
  return s.sources !== undefined ? s.sources.estimate : s.firstSource === '' ? 0 : 1;
}

function singleSource(s: RateState): string | undefined {
  if (s.sources !== undefined) return s.sources.single;
  return s.firstSource === '' ? undefined : s.firstSource;
}

interface ReflectionState extends Windowed {
  firstTs: number;
  lastTs: number;
  packets: number;
  bytes: number;
  reflectors: Set<string>;
  ports: Map<number, number>;
  evidence: string[];
}

export function createFloodDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.flood;
  const maxEvidence = ctx.config.maxEvidence;
  const reflection = new Uint8Array(65_536);
  for (const port of cfg.reflectionPorts) if (port >= 0 && port < 65_536) reflection[port] = 1;

  function raiseRate(
    target: string,
    s: RateState,
    kind: 'syn' | 'udp' | 'icmp',
    n: number,
    threshold: number,
  ) {
    const span = Math.max(1, s.lastTs - s.minFirst);
    const perSecond = n / span;
    if (perSecond < threshold) return;
    const sources = sourceCount(s);
    const ports = portCount(s);
    if (sources === 1 && ports >= MAX_PORTS) return;
    const about = s.sources?.saturated === true ? 'more than ' : '~';
    const from =
      sources === 1 ? `from ${singleSource(s) ?? '1 source'}` : `from ${about}${count(sources)} sources`;
    const at = ports === 1 ? `${target} port ${s.port}` : target;
    const detail =
      kind === 'syn'
        ? `${count(n)} unanswered SYNs in ${seconds(span)} (${rate(perSecond)}/s) ${from}; ${count(s.synAcked)} connections were answered with SYN-ACK (SYN/SYN-ACK ${count(n)}:${count(s.synAcked)})`
        : kind === 'udp'
          ? `${count(n)} unanswered UDP packets (${bytes(s.udpBytes)}) in ${seconds(span)} (${rate(perSecond)}/s) ${from}`
          : `${count(n)} ICMP echo requests in ${seconds(span)} (${rate(perSecond)}/s) ${from}`;
    ctx.raise({
      type: 'flood',
      mitre: kind === 'syn' ? ['T1499.002', 'T1498'] : ['T1498.001', 'T1498'],
      score: scoreOver(perSecond, threshold, 60, 10, 100),
      source: singleSource(s),
      targets: [target],
      targetKey: `${target}/${kind}`,
      firstSeen: s.minFirst,
      lastSeen: s.lastTs,
      explanation: `${at} received ${detail}.`,
      evidence: s.evidence,
      metrics: {
        kind,
        packets: n,
        perSecond: Math.round(perSecond),
        sources,
        synAcked: s.synAcked,
        seconds: Number(span.toFixed(3)),
      },
    });
  }

  function evaluateRate(target: string, s: RateState): void {
    raiseRate(target, s, 'syn', s.syn, cfg.synPerSecond);
    raiseRate(target, s, 'udp', s.udpPackets, cfg.udpPerSecond);
    raiseRate(target, s, 'icmp', s.icmpPackets, cfg.icmpPerSecond);
  }

  function evaluateReflection(target: string, s: ReflectionState): void {
    const mean = s.bytes / Math.max(1, s.packets);
    if (s.reflectors.size < cfg.minReflectors || mean < cfg.minReflectedPacketBytes) return;
    const [port] = [...s.ports].sort((a, b) => b[1] - a[1])[0];
    const service = PORT_NAMES[port] ? `${port} (${PORT_NAMES[port]})` : String(port);
    ctx.raise({
      type: 'flood',
      mitre: ['T1498.002', 'T1498'],
      score: scoreOver(s.reflectors.size, cfg.minReflectors, 60, 10, 95),
      targets: [target],
      targetKey: `${target}/reflection`,
      firstSeen: s.firstTs,
      lastSeen: s.lastTs,
      explanation: `${target} received ${count(s.packets)} unsolicited UDP packets (${bytes(s.bytes)}, mean ${count(mean)} bytes) from ${count(s.reflectors.size)} hosts' port ${service} in ${seconds(s.lastTs - s.firstTs)} without asking them anything: a reflection/amplification flood.`,
      evidence: s.evidence,
      metrics: {
        kind: 'reflection',
        port,
        packets: s.packets,
        bytes: s.bytes,
        meanPacketBytes: Math.round(mean),
        reflectors: s.reflectors.size,
        seconds: Number((s.lastTs - s.firstTs).toFixed(3)),
      },
    });
  }

  const rates = createWindowedTable<RateState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    (ts) => ({
      windowStart: ts,
      minFirst: ts,
      lastTs: ts,
      syn: 0,
      synAcked: 0,
      udpPackets: 0,
      udpBytes: 0,
      icmpPackets: 0,
      port: -1,
      firstPort: -1,
      ports: undefined,
      firstSource: '',
      sources: undefined,
      evidence: [],
    }),
    evaluateRate,
  );
  const reflections = createWindowedTable<ReflectionState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds * REFLECTION_WINDOW_FACTOR,
    ctx.config.latenessSeconds,
    (ts) => ({
      windowStart: ts,
      firstTs: ts,
      lastTs: ts,
      packets: 0,
      bytes: 0,
      reflectors: new Set(),
      ports: new Map(),
      evidence: [],
    }),
    evaluateReflection,
  );

  function rateState(f: FlowRecord): RateState {
    const s = rates.touch(f.dstIp, f.firstTs);
    if (f.firstTs < s.minFirst) s.minFirst = f.firstTs;
    if (f.lastTs > s.lastTs) s.lastTs = f.lastTs;
    const port = f.dstPort;
    if (s.port !== port) {
      if (s.firstPort === -1) s.firstPort = port;
      else if (s.ports !== undefined) {
        if (s.ports.size < MAX_PORTS) s.ports.add(port);
      } else if (port !== s.firstPort) s.ports = new Set([s.firstPort, port]);
      s.port = port;
    }
    const source = f.srcIp;
    if (s.sources !== undefined) s.sources.add(source);
    else if (s.firstSource === '') s.firstSource = source;
    else if (source !== s.firstSource) {
      s.sources = new SourceCounter();
      s.sources.add(s.firstSource);
      s.sources.add(source);
    }
    keepEvidence(s.evidence, f.communityId, maxEvidence);
    return s;
  }

  return {
    name: 'flood',
    onFlow(f, sides) {
      const protocol = f.protocol;
      if (protocol === 6) {
        if ((f.fwdTcpFlags & SYN) === 0) return;
        if ((f.revTcpFlags & SYN) !== 0) {
          const s = rates.get(f.dstIp);
          if (s) s.synAcked++;
          return;
        }
        if ((sides & DST_GROUP) !== 0) return;
        rateState(f).syn += f.fwdPackets;
      } else if (protocol === 17) {
        if (f.revPackets > 0 || (sides & DST_GROUP) !== 0) return;
        const s = rateState(f);
        s.udpPackets += f.fwdPackets;
        s.udpBytes += f.fwdBytes;
        if (reflection[f.srcPort] === 1 && f.srcPort !== 0) {
          const r = reflections.touch(f.dstIp, f.firstTs);
          if (f.firstTs < r.firstTs) r.firstTs = f.firstTs;
          if (f.lastTs > r.lastTs) r.lastTs = f.lastTs;
          r.packets += f.fwdPackets;
          r.bytes += f.fwdBytes;
          if (r.reflectors.size < MAX_REFLECTORS) r.reflectors.add(f.srcIp);
          r.ports.set(f.srcPort, (r.ports.get(f.srcPort) ?? 0) + f.fwdPackets);
          keepEvidence(r.evidence, f.communityId, maxEvidence);
        }
      } else if (protocol === 1 || protocol === 58) {
        if (f.srcPort !== (protocol === 1 ? 8 : 128) || (sides & DST_GROUP) !== 0) return;
        rateState(f).icmpPackets += f.fwdPackets;
      }
    },
    expire(now) {
      rates.expire(now);
      reflections.expire(now);
    },
    finish() {
      rates.finish();
      reflections.finish();
    },
    stats() {
      const a = rates.stats();
      const b = reflections.stats();
      return { tracked: a.tracked + b.tracked, evictions: a.evictions + b.evictions };
    },
  };
}
