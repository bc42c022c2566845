/**
 * Port scans (T1046): one source probing many ports on one host (vertical) or one port across
 * many hosts (horizontal), within `portScan.windowSeconds`.
 *
 * A probe is a flow that exchanged no data: TCP attempts left unanswered (S0, SH, RSTOS0),
 * rejected (REJ, RSTRH), and answered ones that carried headers only (an open port the scanner
 * reset or left), and unanswered UDP datagrams (S0, ≤ 2 packets) from ephemeral ports. ICMP port-unreachable flows
 * coming back from the target are counted as UDP answers. Multicast and broadcast targets are
 * ignored.
 */
import type { FlowRecord } from '../model/index.js';
import type { DetectionContext, Detector } from './detector.js';
import { DST_GROUP, keepEvidence } from './detector.js';
import { count, percent, scoreOver, seconds } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

const MAX_TARGETS_PER_SOURCE = 4096;
const MAX_HOSTS_PER_PORT = 4096;
const HEADER_ONLY_BYTES = 80;
/** Slots of the probation cache (see onFlow). */
const PROBATION_SLOTS = 1 << 16;

interface TargetProbes {
  tcpPorts: Set<number>;
  udpPorts: Set<number>;
  rst: number;
  unanswered: number;
  open: number;
  udpProbes: number;
  icmpUnreachable: number;
}

/**
 * Most sources send one probe (spoofed floods, a stray SYN): the first probe is kept inline and
 * the maps are built only at the second, so a million one-probe sources cost one small object each.
 */
interface ScanState extends Windowed {
  firstTs: number;
  lastTs: number;
  probes: number;
  firstTarget: string;
  firstKey: number;
  firstOutcome: number;
  firstId: string;
  targets: Map<string, TargetProbes> | undefined;
  /** (protocol << 16 | port) → hosts probed on it. */
  portHosts: Map<number, Set<string>> | undefined;
  evidence: string[];
}

const OUTCOME_NONE = 0;
const OUTCOME_RST = 1;
const OUTCOME_UNANSWERED = 2;
const OUTCOME_OPEN = 3;
const SYN_ACK = 0x12;

/** How a TCP flow ended, if it was a probe. */
function tcpProbeOutcome(f: FlowRecord): number {
  switch (f.state) {
    case 'S0':
    case 'SH':
    case 'RSTOS0':
      return OUTCOME_UNANSWERED;
    case 'REJ':
    case 'RSTRH':
      return OUTCOME_RST;
    case 'RSTO':
    case 'RSTR':
    case 'SHR':
    case 'S1':
    case 'SF':
    case 'S2':
    case 'S3':
      if (f.fwdBytes > f.fwdPackets * HEADER_ONLY_BYTES || f.revBytes > f.revPackets * HEADER_ONLY_BYTES) {
        return OUTCOME_NONE;
      }
      return (f.revTcpFlags & SYN_ACK) === SYN_ACK ? OUTCOME_OPEN : OUTCOME_RST;
    default:
      return OUTCOME_NONE;
  }
}

export function createPortScanDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.portScan;
  const maxEvidence = ctx.config.maxEvidence;

  function evaluate(source: string, s: ScanState): void {
    if (s.targets === undefined || s.portHosts === undefined) return;
    if (s.probes < Math.min(cfg.verticalMinPorts, cfg.horizontalMinHosts)) return;
    const duration = s.lastTs - s.firstTs;
    for (const [target, t] of s.targets) {
      const ports = t.tcpPorts.size + t.udpPorts.size;
      if (ports < cfg.verticalMinPorts) continue;
      const tcpProbes = t.rst + t.unanswered + t.open;
      const parts: string[] = [];
      if (t.tcpPorts.size > 0) {
        parts.push(
          `${percent(t.rst, tcpProbes)} answered with RST, ${percent(t.unanswered, tcpProbes)} unanswered, ${count(t.open)} open`,
        );
      }
      if (t.udpPorts.size > 0) parts.push(`${count(t.icmpUnreachable)} ICMP port-unreachable replies to UDP`);
      const what =
        t.tcpPorts.size > 0 && t.udpPorts.size > 0
          ? `${count(t.tcpPorts.size)} TCP and ${count(t.udpPorts.size)} UDP ports`
          : t.tcpPorts.size > 0
            ? `${count(t.tcpPorts.size)} TCP ports`
            : `${count(t.udpPorts.size)} UDP ports`;
      ctx.raise({
        type: 'port-scan',
        mitre: ['T1046'],
        score: scoreOver(ports, cfg.verticalMinPorts, 45, 10, 85),
        source,
        targets: [target],
        firstSeen: s.firstTs,
        lastSeen: s.lastTs,
        explanation: `${source} probed ${what} on ${target} in ${seconds(duration)}; ${parts.join('; ')}.`,
        evidence: s.evidence,
        metrics: {
          kind: 'vertical',
          tcpPorts: t.tcpPorts.size,
          udpPorts: t.udpPorts.size,
          probes: tcpProbes + t.udpProbes,
          rst: t.rst,
          unanswered: t.unanswered,
          open: t.open,
          icmpUnreachable: t.icmpUnreachable,
          seconds: Number(duration.toFixed(3)),
        },
      });
    }
    for (const [key, hosts] of s.portHosts) {
      if (hosts.size < cfg.horizontalMinHosts) continue;
      const port = key & 0xffff;
      const proto = key >>> 16 === 6 ? 'tcp' : 'udp';
      ctx.raise({
        type: 'port-scan',
        mitre: ['T1046'],
        score: scoreOver(hosts.size, cfg.horizontalMinHosts, 30, 12, 85),
        source,
        targets: [...hosts],
        targetKey: `*:${port}/${proto}`,
        firstSeen: s.firstTs,
        lastSeen: s.lastTs,
        explanation: `${source} probed ${proto.toUpperCase()} port ${port} on ${count(hosts.size)} hosts in ${seconds(duration)}; no probe exchanged data.`,
        evidence: s.evidence,
        metrics: {
          kind: 'horizontal',
          port,
          protocol: proto,
          hosts: hosts.size,
          seconds: Number(duration.toFixed(3)),
        },
      });
    }
  }

  const table = createWindowedTable<ScanState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    (ts) => ({
      windowStart: ts,
      firstTs: ts,
      lastTs: ts,
      probes: 0,
      firstTarget: '',
      firstKey: 0,
      firstOutcome: OUTCOME_NONE,
      firstId: '',
      targets: undefined,
      portHosts: undefined,
      evidence: [],
    }),
    evaluate,
  );

  function record(s: ScanState, dst: string, key: number, outcome: number, id: string): void {
    const targets = s.targets as Map<string, TargetProbes>;
    const portHosts = s.portHosts as Map<number, Set<string>>;
    keepEvidence(s.evidence, id, maxEvidence);
    let t = targets.get(dst);
    if (t === undefined && targets.size < MAX_TARGETS_PER_SOURCE) {
      t = {
        tcpPorts: new Set(),
        udpPorts: new Set(),
        rst: 0,
        unanswered: 0,
        open: 0,
        udpProbes: 0,
        icmpUnreachable: 0,
      };
      targets.set(dst, t);
    }
    const port = key & 0xffff;
    if (t) {
      if (key >>> 16 === 6) {
        t.tcpPorts.add(port);
        if (outcome === OUTCOME_RST) t.rst++;
        else if (outcome === OUTCOME_OPEN) t.open++;
        else t.unanswered++;
      } else {
        t.udpPorts.add(port);
        t.udpProbes++;
      }
    }
    let hosts = portHosts.get(key);
    if (hosts === undefined) {
      hosts = new Set();
      portHosts.set(key, hosts);
    }
    if (hosts.size < MAX_HOSTS_PER_PORT) hosts.add(dst);
  }

  // Probation: a source's first probe waits in a direct-mapped cache (no allocation, no Map
  // insert); its second probe promotes it into the table with the first one. A collision
  // overwrites a waiting probe: that source's first probe is lost, which only matters if it was
  // the start of a scan (one probe fewer counted). Spoofed floods thus never touch the table.
  const waitSource: string[] = new Array(PROBATION_SLOTS).fill('');
  const waitTarget: string[] = new Array(PROBATION_SLOTS).fill('');
  const waitId: string[] = new Array(PROBATION_SLOTS).fill('');
  const waitKey = new Int32Array(PROBATION_SLOTS);
  const waitOutcome = new Uint8Array(PROBATION_SLOTS);
  const waitTs = new Float64Array(PROBATION_SLOTS);

  let overwritten = 0;

  function slotOf(ip: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < ip.length; i++) h = Math.imul(h ^ ip.charCodeAt(i), 0x01000193);
    return (h ^ (h >>> 16)) & (PROBATION_SLOTS - 1);
  }

  return {
    name: 'port-scan',
    onFlow(f, sides) {
      const protocol = f.protocol;
      let outcome = OUTCOME_NONE;
      if (protocol === 6) {
        outcome = tcpProbeOutcome(f);
        if (outcome === OUTCOME_NONE) return;
      } else if (protocol === 17) {
        // Unanswered datagrams from ephemeral ports; from a service port (< 1024) they are
        // responses or backscatter (reflection floods), not probes.
        if (f.state !== 'S0' || f.fwdPackets > 2 || f.srcPort < 1024) return;
      } else if (protocol === 1 || protocol === 58) {
        // Port unreachable (ICMP 3/3, ICMPv6 1/4) from the target back to the scanner.
        if (
          (protocol === 1 && f.srcPort === 3 && f.dstPort === 3) ||
          (protocol === 58 && f.srcPort === 1 && f.dstPort === 4)
        ) {
          const t = table.get(f.dstIp)?.targets?.get(f.srcIp);
          if (t) t.icmpUnreachable += f.fwdPackets;
        }
        return;
      } else return;
      if ((sides & DST_GROUP) !== 0) return;
      const key = (protocol << 16) | f.dstPort;
      let s = table.get(f.srcIp);
      if (s === undefined) {
        const slot = slotOf(f.srcIp);
        if (waitSource[slot] !== f.srcIp || f.firstTs >= waitTs[slot] + cfg.windowSeconds) {
          if (waitSource[slot] !== '' && waitSource[slot] !== f.srcIp) overwritten++;
          waitSource[slot] = f.srcIp;
          waitTarget[slot] = f.dstIp;
          waitId[slot] = f.communityId;
          waitKey[slot] = key;
          waitOutcome[slot] = outcome;
          waitTs[slot] = f.firstTs;
          return;
        }
        waitSource[slot] = '';
        s = table.touch(f.srcIp, waitTs[slot]);
        s.probes = 1;
        s.firstTarget = waitTarget[slot];
        s.firstKey = waitKey[slot];
        s.firstOutcome = waitOutcome[slot];
        s.firstId = waitId[slot];
        if (waitTs[slot] < s.firstTs) s.firstTs = waitTs[slot];
      } else s = table.touch(f.srcIp, f.firstTs);
      if (f.firstTs < s.firstTs) s.firstTs = f.firstTs;
      if (f.lastTs > s.lastTs) s.lastTs = f.lastTs;
      s.probes++;
      if (s.targets === undefined) {
        if (s.probes === 1) {
          s.firstTarget = f.dstIp;
          s.firstKey = key;
          s.firstOutcome = outcome;
          s.firstId = f.communityId;
          return;
        }
        s.targets = new Map();
        s.portHosts = new Map();
        record(s, s.firstTarget, s.firstKey, s.firstOutcome, s.firstId);
      }
      record(s, f.dstIp, key, outcome, f.communityId);
    },
    expire: (now) => table.expire(now),
    finish: () => table.finish(),
    /** Evictions include waiting first probes overwritten in the probation cache. */
    stats() {
      const t = table.stats();
      return { tracked: t.tracked, evictions: t.evictions + overwritten };
    },
  };
}
