/**
 * Suspicious ports and services (T1571): accepted connections to ports that malware and attack
 * tools use by default (`suspiciousPort.ports`: Metasploit 4444, IRC 6667, 31337, Tor relays, …),
 * and known application protocols running on another protocol's well-known port (SSH on 443, …)
 * when an analyzer has named the application. One alert per source, target and port; repeats are
 * deduplicated by the engine (and escalated when they keep coming).
 */
import type { FlowRecord } from '../model/index.js';
import type { DetectionContext, Detector } from './detector.js';
import { DST_GROUP } from './detector.js';
import { protoName } from './explain.js';

/** Well-known ports of applications that analyzers name; elsewhere they are "off-port". */
const HOME_PORTS: Record<string, readonly number[]> = {
  ssh: [22, 2222],
  dns: [53, 5353, 5355],
  smb: [139, 445],
  rdp: [3389],
};
const STANDARD_PORTS = new Set([21, 22, 23, 25, 53, 80, 110, 143, 443, 445, 993, 995, 3389, 8080, 8443]);
const PORT_NAMES: Record<number, string> = {
  4444: 'Metasploit default handler',
  4445: 'Metasploit',
  1337: '"leet" backdoor',
  31337: 'Back Orifice / "eleet" backdoor',
  6666: 'IRC',
  6667: 'IRC',
  6668: 'IRC',
  6669: 'IRC',
  12345: 'NetBus',
  12346: 'NetBus',
  54321: 'Back Orifice 2000',
  27374: 'SubSeven',
  9001: 'Tor relay',
  9030: 'Tor directory',
  3127: 'MyDoom',
  1080: 'SOCKS proxy',
};

function answered(f: FlowRecord): boolean {
  return f.protocol === 6 ? (f.revTcpFlags & 0x12) === 0x12 : f.revPackets > 0;
}

export function createSuspiciousPortDetector(ctx: DetectionContext): Detector {
  const suspicious = new Uint8Array(65_536);
  for (const port of ctx.config.suspiciousPort.ports) if (port >= 0 && port < 65_536) suspicious[port] = 1;

  function raise(f: FlowRecord, why: string, score: number, technique: string[]): void {
    const service = `${f.dstPort}/${protoName(f.protocol)}`;
    ctx.raise({
      type: 'suspicious-port',
      mitre: technique,
      score,
      source: f.srcIp,
      targets: [f.dstIp],
      targetKey: `${f.dstIp}:${service}`,
      firstSeen: f.firstTs,
      lastSeen: f.lastTs,
      explanation: `${f.srcIp} connected to ${f.dstIp} on ${service} (${why}); ${f.fwdBytes} bytes sent, ${f.revBytes} received.`,
      evidence: [f.communityId],
      metrics: {
        port: f.dstPort,
        protocol: protoName(f.protocol),
        fwdBytes: f.fwdBytes,
        revBytes: f.revBytes,
      },
    });
  }

  return {
    name: 'suspicious-port',
    onFlow(f, sides) {
      if (f.protocol !== 6 && f.protocol !== 17) return;
      if (suspicious[f.dstPort] === 1) {
        if (!answered(f) || (sides & DST_GROUP) !== 0) return;
        const tor = f.dstPort === 9001 || f.dstPort === 9030;
        raise(
          f,
          PORT_NAMES[f.dstPort] ?? 'a port attack tools use',
          30,
          tor ? ['T1090.003', 'T1571'] : ['T1571'],
        );
        return;
      }
      const app = f.application;
      if (app === undefined) return;
      const home = HOME_PORTS[app];
      if (home === undefined || home.includes(f.dstPort) || !STANDARD_PORTS.has(f.dstPort)) return;
      raise(f, `${app.toUpperCase()} on another protocol's well-known port`, 35, ['T1571']);
    },
    expire() {},
    finish() {},
    stats: () => ({ tracked: 0, evictions: 0 }),
  };
}
