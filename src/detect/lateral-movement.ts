/**
 * Lateral movement (T1021): one internal host opening admin-protocol sessions (SMB, RPC, RDP,
 * WinRM, SSH, VNC: `lateralMovement.ports`) to ≥ `minTargets` other internal hosts within
 * `lateralMovement.windowSeconds`. Only connections the target accepted count (TCP with a
 * SYN-ACK back); failed attempts are the port-scan detector's business.
 */
import type { DetectionContext, Detector } from './detector.js';
import { DST_GROUP, HOME_SIDES, keepEvidence } from './detector.js';
import { count, scoreOver, seconds } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

const MAX_TARGETS = 4096;
const SYN_ACK = 0x12;
const TECHNIQUE: Record<number, string> = {
  22: 'T1021.004',
  135: 'T1021.002',
  139: 'T1021.002',
  445: 'T1021.002',
  3389: 'T1021.001',
  5900: 'T1021.005',
  5985: 'T1021.006',
  5986: 'T1021.006',
};
const SERVICE: Record<number, string> = {
  22: 'SSH',
  135: 'RPC',
  139: 'NetBIOS',
  445: 'SMB',
  3389: 'RDP',
  5900: 'VNC',
  5985: 'WinRM',
  5986: 'WinRM',
};

interface LateralState extends Windowed {
  firstTs: number;
  lastTs: number;
  targets: Set<string>;
  ports: Map<number, number>;
  sessions: number;
  evidence: string[];
}

export function createLateralMovementDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.lateralMovement;
  const admin = new Uint8Array(65_536);
  for (const port of cfg.ports) if (port >= 0 && port < 65_536) admin[port] = 1;

  function evaluate(source: string, s: LateralState): void {
    if (s.targets.size < cfg.minTargets) return;
    const ports = [...s.ports].sort((a, b) => b[1] - a[1]);
    const main = ports[0][0];
    const services = ports.map(([p, n]) => `${SERVICE[p] ?? p} ${count(n)}`).join(', ');
    ctx.raise({
      type: 'lateral-movement',
      mitre: [...new Set([TECHNIQUE[main] ?? 'T1021', 'T1021'])],
      score: scoreOver(s.targets.size, cfg.minTargets, 45, 12, 85),
      source,
      targets: [...s.targets],
      targetKey: '*',
      firstSeen: s.firstTs,
      lastSeen: s.lastTs,
      explanation: `${source} opened ${count(s.sessions)} admin sessions (${services}) to ${count(s.targets.size)} internal hosts in ${seconds(s.lastTs - s.firstTs)}.`,
      evidence: s.evidence,
      metrics: { targets: s.targets.size, sessions: s.sessions, mainPort: main },
    });
  }

  const table = createWindowedTable<LateralState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    (ts) => ({
      windowStart: ts,
      firstTs: ts,
      lastTs: ts,
      targets: new Set(),
      ports: new Map(),
      sessions: 0,
      evidence: [],
    }),
    evaluate,
  );

  return {
    name: 'lateral-movement',
    onFlow(f, sides) {
      if ((sides & HOME_SIDES) !== HOME_SIDES || f.protocol !== 6 || admin[f.dstPort] === 0) return;
      if ((f.revTcpFlags & SYN_ACK) !== SYN_ACK || f.srcIp === f.dstIp || (sides & DST_GROUP) !== 0) return;
      const s = table.touch(f.srcIp, f.firstTs);
      if (f.firstTs < s.firstTs) s.firstTs = f.firstTs;
      if (f.lastTs > s.lastTs) s.lastTs = f.lastTs;
      s.sessions++;
      if (s.targets.size < MAX_TARGETS) s.targets.add(f.dstIp);
      s.ports.set(f.dstPort, (s.ports.get(f.dstPort) ?? 0) + 1);
      keepEvidence(s.evidence, f.communityId, ctx.config.maxEvidence);
    },
    expire: (now) => table.expire(now),
    finish: () => table.finish(),
    stats: () => table.stats(),
  };
}
