/**
 * Host sweeps (T1018, T1046): one source looking for live hosts, with ICMP echo requests
 * (ICMP 8, ICMPv6 128) to many addresses, or ARP requests for many addresses, within
 * `hostSweep.windowSeconds`. Gratuitous ARP (sender = target) is not a probe.
 */
import type { DetectionContext, Detector } from './detector.js';
import { DST_GROUP, keepEvidence } from './detector.js';
import { count, percent, scoreOver, seconds } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

const MAX_HOSTS = 8192;

interface SweepState extends Windowed {
  firstTs: number;
  lastTs: number;
  hosts: Set<string>;
  requests: number;
  answered: number;
  evidence: string[];
  mac: string;
  /** ARP only: targets that replied to the sweeper. */
  answeredHosts?: Set<string>;
}

export function createHostSweepDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.hostSweep;
  const fresh = (ts: number): SweepState => ({
    windowStart: ts,
    firstTs: ts,
    lastTs: ts,
    hosts: new Set(),
    requests: 0,
    answered: 0,
    evidence: [],
    mac: '',
  });

  function report(kind: 'icmp' | 'arp', source: string, s: SweepState): void {
    const min = kind === 'icmp' ? cfg.icmpMinHosts : cfg.arpMinHosts;
    if (s.hosts.size < min) return;
    const duration = s.lastTs - s.firstTs;
    const how = kind === 'icmp' ? 'ICMP echo requests' : 'ARP requests';
    const who = kind === 'arp' && s.mac !== '' ? `${source} (${s.mac})` : source;
    ctx.raise({
      type: 'host-sweep',
      mitre: ['T1018', 'T1046'],
      score: scoreOver(s.hosts.size, min, 40, 12, 80),
      source,
      targets: [...s.hosts],
      targetKey: `*/${kind}`,
      firstSeen: s.firstTs,
      lastSeen: s.lastTs,
      explanation: `${who} sent ${count(s.requests)} ${how} to ${count(s.hosts.size)} addresses in ${seconds(duration)}; ${percent(s.answered, s.hosts.size)} answered.`,
      evidence: s.evidence,
      metrics: {
        kind,
        hosts: s.hosts.size,
        requests: s.requests,
        answered: s.answered,
        seconds: Number(duration.toFixed(3)),
      },
    });
  }

  const maxTracked = ctx.config.maxTrackedPerDetector;
  const icmp = createWindowedTable<SweepState>(
    maxTracked,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    fresh,
    (k, s) => report('icmp', k, s),
  );
  const arp = createWindowedTable<SweepState>(
    maxTracked,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    fresh,
    (k, s) => report('arp', k, s),
  );

  return {
    name: 'host-sweep',
    onFlow(f, sides) {
      // Echo request first (type 8 / 128), or reply-first flows whose originator answered.
      const v4 = f.protocol === 1;
      if (!v4 && f.protocol !== 58) return;
      const request = v4 ? 8 : 128;
      if (f.srcPort !== request || (sides & DST_GROUP) !== 0) return;
      const s = icmp.touch(f.srcIp, f.firstTs);
      if (f.firstTs < s.firstTs) s.firstTs = f.firstTs;
      if (f.lastTs > s.lastTs) s.lastTs = f.lastTs;
      s.requests += f.fwdPackets;
      if (s.hosts.size < MAX_HOSTS && !s.hosts.has(f.dstIp)) {
        s.hosts.add(f.dstIp);
        if (f.revPackets > 0) s.answered++;
      }
      keepEvidence(s.evidence, f.communityId, ctx.config.maxEvidence);
    },
    onArp(e) {
      if (e.op === 'reply') {
        const asked = arp.get(e.targetIp);
        if (asked?.hosts.has(e.senderIp)) {
          asked.answeredHosts ??= new Set();
          asked.answeredHosts.add(e.senderIp);
          asked.answered = asked.answeredHosts.size;
        }
        return;
      }
      if (e.senderIp === e.targetIp || e.senderIp === '0.0.0.0') return;
      const s = arp.touch(e.senderIp, e.ts);
      if (e.ts > s.lastTs) s.lastTs = e.ts;
      s.mac = e.senderMac;
      s.requests++;
      if (s.hosts.size < MAX_HOSTS) s.hosts.add(e.targetIp);
    },
    expire(now) {
      icmp.expire(now);
      arp.expire(now);
    },
    finish() {
      icmp.finish();
      arp.finish();
    },
    stats() {
      const a = icmp.stats();
      const b = arp.stats();
      return { tracked: a.tracked + b.tracked, evictions: a.evictions + b.evictions };
    },
  };
}
