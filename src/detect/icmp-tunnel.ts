/**
 * ICMP tunnels (T1095, T1048): data carried in ICMP echo payloads between two hosts, within
 * `icmpTunnel.windowSeconds`. Ordinary ping sends small fixed payloads (84-byte IPv4 packets
 * on Linux, 60 on Windows) and gets the same bytes back; a tunnel sends many, larger packets, and
 * its requests and replies differ in size because each direction carries its own data.
 * Fires when the pair exchanged ≥ `minPackets` echo packets of mean size ≥ `minMeanPacketBytes`
 * and ≥ `minBytes` in total.
 */
import type { DetectionContext, Detector } from './detector.js';
import { keepEvidence } from './detector.js';
import { bytes, count, percent, scoreOver, seconds } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

interface EchoState extends Windowed {
  firstTs: number;
  lastTs: number;
  packets: number;
  requestBytes: number;
  replyBytes: number;
  evidence: string[];
}

export function createIcmpTunnelDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.icmpTunnel;

  function evaluate(key: string, s: EchoState): void {
    const total = s.requestBytes + s.replyBytes;
    const mean = total / Math.max(1, s.packets);
    if (s.packets < cfg.minPackets || mean < cfg.minMeanPacketBytes || total < cfg.minBytes) return;
    const [source, target] = key.split('|');
    const imbalance = Math.abs(s.requestBytes - s.replyBytes) / Math.max(1, s.requestBytes, s.replyBytes);
    const asymmetric = imbalance > 0.05;
    ctx.raise({
      type: 'icmp-tunnel',
      mitre: ['T1095', 'T1048'],
      score: Math.min(85, scoreOver(total, cfg.minBytes, 50, 10, 80) + (asymmetric ? 10 : 0)),
      source,
      targets: [target],
      firstSeen: s.firstTs,
      lastSeen: s.lastTs,
      explanation: `${source} and ${target} exchanged ${count(s.packets)} ICMP echo packets (${bytes(total)}, mean ${Math.round(mean)} bytes; ping uses 60–84) in ${seconds(s.lastTs - s.firstTs)}; requests carried ${bytes(s.requestBytes)} and replies ${bytes(s.replyBytes)}${asymmetric ? `, ${percent(imbalance, 1)} apart, so the payloads are not echoed back` : ''}.`,
      evidence: s.evidence,
      metrics: {
        packets: s.packets,
        bytes: total,
        meanPacketBytes: Math.round(mean),
        requestBytes: s.requestBytes,
        replyBytes: s.replyBytes,
        seconds: Number((s.lastTs - s.firstTs).toFixed(3)),
      },
    });
  }

  const table = createWindowedTable<EchoState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    (ts) => ({
      windowStart: ts,
      firstTs: ts,
      lastTs: ts,
      packets: 0,
      requestBytes: 0,
      replyBytes: 0,
      evidence: [],
    }),
    evaluate,
  );

  return {
    name: 'icmp-tunnel',
    onFlow(f) {
      let requestFirst: boolean;
      if (f.protocol === 1) {
        if (f.srcPort === 8) requestFirst = true;
        else if (f.srcPort === 0 && f.dstPort === 8) requestFirst = false;
        else return;
      } else if (f.protocol === 58) {
        if (f.srcPort === 128) requestFirst = true;
        else if (f.srcPort === 129 && f.dstPort === 128) requestFirst = false;
        else return;
      } else return;
      const requester = requestFirst ? f.srcIp : f.dstIp;
      const responder = requestFirst ? f.dstIp : f.srcIp;
      const s = table.touch(`${requester}|${responder}`, f.firstTs);
      if (f.firstTs < s.firstTs) s.firstTs = f.firstTs;
      if (f.lastTs > s.lastTs) s.lastTs = f.lastTs;
      s.packets += f.packets;
      s.requestBytes += requestFirst ? f.fwdBytes : f.revBytes;
      s.replyBytes += requestFirst ? f.revBytes : f.fwdBytes;
      keepEvidence(s.evidence, f.communityId, ctx.config.maxEvidence);
    },
    expire: (now) => table.expire(now),
    finish: () => table.finish(),
    stats: () => table.stats(),
  };
}
