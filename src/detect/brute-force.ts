/**
 * Brute force against login services (T1110.001): many short, small connections (or failed
 * connection attempts) from one source to one service (host and port) within
 * `bruteForce.windowSeconds`. A connection counts as an attempt when it lasted at most
 * `maxAttemptSeconds` and carried at most `maxAttemptBytes` in both directions; an interactive
 * session or a file transfer does not. Ports are `bruteForce.ports` (SSH, FTP, Telnet, RDP, SMB,
 * databases, mail, VNC, HTTP admin ports).
 */
import type { DetectionContext, Detector } from './detector.js';
import { keepEvidence } from './detector.js';
import { bytes, count, scoreOver, seconds } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

const SERVICE: Record<number, string> = {
  21: 'FTP',
  22: 'SSH',
  23: 'Telnet',
  25: 'SMTP',
  110: 'POP3',
  139: 'NetBIOS',
  143: 'IMAP',
  389: 'LDAP',
  445: 'SMB',
  465: 'SMTPS',
  587: 'SMTP submission',
  636: 'LDAPS',
  993: 'IMAPS',
  995: 'POP3S',
  1433: 'MSSQL',
  1521: 'Oracle',
  3306: 'MySQL',
  3389: 'RDP',
  5432: 'PostgreSQL',
  5900: 'VNC',
  5901: 'VNC',
  6379: 'Redis',
  27017: 'MongoDB',
  8080: 'HTTP',
  8443: 'HTTPS',
  10000: 'Webmin',
};

const FAILED = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR']);
const MAX_SAMPLES = 256;

interface AttemptState extends Windowed {
  firstTs: number;
  lastTs: number;
  attempts: number;
  failed: number;
  /** The first attempt's numbers; the lists exist from the second attempt on (most keys see one). */
  firstDuration: number;
  firstSize: number;
  firstId: string;
  durations: number[] | undefined;
  sizes: number[] | undefined;
  evidence: string[] | undefined;
}

/** Makes the state's sample lists from the first attempt's numbers (at the second attempt). */
function makeLists(s: AttemptState): void {
  if (s.durations !== undefined) return;
  s.durations = [s.firstDuration];
  s.sizes = [s.firstSize];
  s.evidence = s.firstId === '' ? [] : [s.firstId];
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export function createBruteForceDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.bruteForce;
  const login = new Uint8Array(65_536);
  for (const port of cfg.ports) if (port >= 0 && port < 65_536) login[port] = 1;

  function evaluate(key: string, s: AttemptState): void {
    if (s.attempts < cfg.minAttempts) return;
    makeLists(s);
    const durations = s.durations ?? [];
    const sizes = s.sizes ?? [];
    const evidence = s.evidence ?? [];
    const [source, target, portText] = key.split('|');
    const port = Number(portText);
    const service = `${SERVICE[port] ?? 'port'} (${port}/tcp)`;
    const duration = s.lastTs - s.firstTs;
    const medianSize = median(sizes);
    ctx.raise({
      type: 'brute-force',
      mitre: ['T1110.001', 'T1110'],
      score: scoreOver(s.attempts, cfg.minAttempts, 45, 10, 85),
      source,
      targets: [target],
      targetKey: `${target}:${port}`,
      firstSeen: s.firstTs,
      lastSeen: s.lastTs,
      explanation: `${source} made ${count(s.attempts)} short connections to ${service} on ${target} in ${seconds(duration)} (median ${seconds(median(durations))}, ${bytes(medianSize)} each); ${count(s.failed)} failed to connect.`,
      evidence,
      metrics: {
        port,
        attempts: s.attempts,
        failed: s.failed,
        medianSeconds: Number(median(durations).toFixed(3)),
        medianBytes: medianSize,
        seconds: Number(duration.toFixed(3)),
      },
    });
  }

  const table = createWindowedTable<AttemptState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    (ts) => ({
      windowStart: ts,
      firstTs: ts,
      lastTs: ts,
      attempts: 0,
      failed: 0,
      firstDuration: 0,
      firstSize: 0,
      firstId: '',
      durations: undefined,
      sizes: undefined,
      evidence: undefined,
    }),
    evaluate,
  );

  return {
    name: 'brute-force',
    onFlow(f) {
      if (f.protocol !== 6 || login[f.dstPort] === 0) return;
      const duration = f.lastTs - f.firstTs;
      const size = f.fwdBytes + f.revBytes;
      if (duration > cfg.maxAttemptSeconds || size > cfg.maxAttemptBytes) return;
      const s = table.touch(`${f.srcIp}|${f.dstIp}|${f.dstPort}`, f.firstTs);
      if (f.firstTs < s.firstTs) s.firstTs = f.firstTs;
      if (f.lastTs > s.lastTs) s.lastTs = f.lastTs;
      s.attempts++;
      if (FAILED.has(f.state)) s.failed++;
      if (s.attempts === 1) {
        s.firstDuration = duration;
        s.firstSize = size;
        s.firstId = ctx.config.maxEvidence > 0 ? f.communityId : '';
        return;
      }
      makeLists(s);
      const durations = s.durations as number[];
      if (durations.length < MAX_SAMPLES) {
        durations.push(duration);
        (s.sizes as number[]).push(size);
      }
      keepEvidence(s.evidence as string[], f.communityId, ctx.config.maxEvidence);
    },
    expire: (now) => table.expire(now),
    finish: () => table.finish(),
    stats: () => table.stats(),
  };
}
