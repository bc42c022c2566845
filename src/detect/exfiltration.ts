/**
 * Data exfiltration (T1048, T1041): an internal host sending much more to external hosts than it
 * receives, within `exfiltration.windowSeconds`. "Outbound" is the internal side's bytes, whichever
 * side opened the connection. The volume threshold is the host's own history when the composition
 * root supplies one (`historyFactor` × its usual bytes per window, never below a tenth of
 * `minOutboundBytes`), otherwise `minOutboundBytes`; the out/in ratio must reach `minRatio` too.
 */
import type { DetectionContext, Detector } from './detector.js';
import { DST_HOME, HOME_SIDES, keepEvidence, SRC_HOME } from './detector.js';
import { bytes, scoreOver, seconds } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

const MAX_PEERS = 32;
const EVIDENCE_MIN_BYTES = 1_000_000;

interface VolumeState extends Windowed {
  firstTs: number;
  lastTs: number;
  out: number;
  in: number;
  flows: number;
  peers: Map<string, number>;
  evidence: string[];
}

export function createExfiltrationDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.exfiltration;

  function evaluate(host: string, s: VolumeState): void {
    const usual = ctx.history?.outboundBytes(host, cfg.windowSeconds);
    const threshold =
      usual !== undefined
        ? Math.max(cfg.minOutboundBytes / 10, usual * cfg.historyFactor)
        : cfg.minOutboundBytes;
    const ratio = s.out / Math.max(1, s.in);
    if (s.out < threshold || ratio < cfg.minRatio) return;
    const peers = [...s.peers].sort((a, b) => b[1] - a[1]);
    const [top, topBytes] = peers[0] ?? ['', 0];
    const against = usual !== undefined ? `its usual ${bytes(usual)}` : `the ${bytes(threshold)} threshold`;
    ctx.raise({
      type: 'exfiltration',
      mitre: ['T1048', 'T1041'],
      score: scoreOver(s.out, threshold, 50, 10, 90),
      source: host,
      targets: peers.map(([peer]) => peer),
      targetKey: '*',
      firstSeen: s.firstTs,
      lastSeen: s.lastTs,
      explanation: `${host} sent ${bytes(s.out)} to ${peers.length} external hosts in ${seconds(s.lastTs - s.firstTs)} (against ${against}) and received ${bytes(s.in)}, ${Math.round(ratio)}× less; ${bytes(topBytes)} went to ${top}.`,
      evidence: s.evidence,
      metrics: {
        outBytes: s.out,
        inBytes: s.in,
        ratio: Number(ratio.toFixed(1)),
        threshold,
        flows: s.flows,
        externalHosts: peers.length,
        ...(usual !== undefined ? { usualBytes: usual } : {}),
      },
    });
  }

  const table = createWindowedTable<VolumeState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    (ts) => ({
      windowStart: ts,
      firstTs: ts,
      lastTs: ts,
      out: 0,
      in: 0,
      flows: 0,
      peers: new Map(),
      evidence: [],
    }),
    evaluate,
  );

  return {
    name: 'exfiltration',
    onFlow(f, sides) {
      let host: string;
      let peer: string;
      let out: number;
      let back: number;
      const home = sides & HOME_SIDES;
      if (home === SRC_HOME) {
        host = f.srcIp;
        peer = f.dstIp;
        out = f.fwdBytes;
        back = f.revBytes;
      } else if (home === DST_HOME) {
        host = f.dstIp;
        peer = f.srcIp;
        out = f.revBytes;
        back = f.fwdBytes;
      } else return;
      const s = table.touch(host, f.firstTs);
      if (f.firstTs < s.firstTs) s.firstTs = f.firstTs;
      if (f.lastTs > s.lastTs) s.lastTs = f.lastTs;
      s.out += out;
      s.in += back;
      s.flows++;
      const had = s.peers.get(peer);
      if (had !== undefined) s.peers.set(peer, had + out);
      else if (s.peers.size < MAX_PEERS) s.peers.set(peer, out);
      if (out >= EVIDENCE_MIN_BYTES) keepEvidence(s.evidence, f.communityId, ctx.config.maxEvidence);
    },
    expire: (now) => table.expire(now),
    finish: () => table.finish(),
    stats: () => table.stats(),
  };
}
