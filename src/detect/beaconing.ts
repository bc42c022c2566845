/**
 * C2 beaconing (T1071): an internal host connecting to the same external service (address,
 * port, protocol) again and again at regular intervals with regular sizes.
 *
 * Per pair, the start times and sizes (bytes both ways) of up to 128 connections in
 * `beaconing.windowSeconds` are kept. The score (published in docs/detections.md):
 *
 *   intervals d_i between consecutive starts, m = median(d), MAD_d = median(|d_i − m|)
 *   sizes s_i, ms = median(s), MAD_s = median(|s_i − ms|)
 *   T = 1 − min(1, MAD_d / m)                      interval regularity
 *   S = 1 − min(1, MAD_s / max(ms, 1))             size regularity
 *   C = min(1, n / fullConnections)                connection count
 *   D = min(1, (last − first) / fullDurationSeconds) duration
 *   score = round(100 × (0.45 T + 0.25 S + 0.15 C + 0.15 D))
 *
 * It fires when n ≥ `minConnections`, m ≥ `minIntervalSeconds` and score ≥ `minScore`.
 */
import type { DetectionContext, Detector } from './detector.js';
import { DST_GROUP, HOME_SIDES, keepEvidence, SRC_HOME } from './detector.js';
import { bytes, count, protoName, seconds } from './explain.js';
import { createWindowedTable, type Windowed } from './tracked-table.js';

const MAX_SAMPLES = 128;

interface SeriesState extends Windowed {
  starts: number[];
  sizes: number[];
  lastTs: number;
  evidence: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface BeaconScore {
  score: number;
  interval: number;
  intervalMad: number;
  size: number;
  sizeMad: number;
  terms: { interval: number; size: number; count: number; duration: number };
}

/** The published formula, on connection starts (any order) and sizes of the same length. */
export function beaconScore(
  starts: readonly number[],
  sizes: readonly number[],
  fullConnections: number,
  fullDurationSeconds: number,
): BeaconScore | undefined {
  if (starts.length < 3) return undefined;
  const order = starts.map((_, i) => i).sort((a, b) => starts[a] - starts[b]);
  const sorted = order.map((i) => starts[i]);
  const intervals: number[] = [];
  for (let i = 1; i < sorted.length; i++) intervals.push(sorted[i] - sorted[i - 1]);
  const m = median(intervals);
  const intervalMad = median(intervals.map((d) => Math.abs(d - m)));
  const ms = median([...sizes]);
  const sizeMad = median(sizes.map((s) => Math.abs(s - ms)));
  const terms = {
    interval: m > 0 ? 1 - Math.min(1, intervalMad / m) : 0,
    size: 1 - Math.min(1, sizeMad / Math.max(ms, 1)),
    count: Math.min(1, starts.length / fullConnections),
    duration: Math.min(1, (sorted[sorted.length - 1] - sorted[0]) / fullDurationSeconds),
  };
  const score = Math.round(
    100 * (0.45 * terms.interval + 0.25 * terms.size + 0.15 * terms.count + 0.15 * terms.duration),
  );
  return { score, interval: m, intervalMad, size: ms, sizeMad, terms };
}

export function createBeaconingDetector(ctx: DetectionContext): Detector {
  const cfg = ctx.config.beaconing;
  const ignored = new Uint8Array(65_536);
  for (const port of cfg.ignorePorts) if (port >= 0 && port < 65_536) ignored[port] = 1;
  /** '|443/tcp' per protocol and port, made once: the per-flow key is two joins, no number formatting. */
  const suffixes = new Map<number, string[]>();
  const suffix = (protocol: number, port: number): string => {
    let table = suffixes.get(protocol);
    if (table === undefined) {
      table = new Array<string>(65_536);
      suffixes.set(protocol, table);
    }
    let text = table[port];
    if (text === undefined) {
      text = `|${port}/${protoName(protocol)}`;
      table[port] = text;
    }
    return text;
  };

  function evaluate(key: string, s: SeriesState): void {
    const n = s.starts.length;
    if (n < cfg.minConnections) return;
    const result = beaconScore(s.starts, s.sizes, cfg.fullConnections, cfg.fullDurationSeconds);
    if (!result || result.interval < cfg.minIntervalSeconds || result.score < cfg.minScore) return;
    const [source, target, service] = key.split('|');
    const first = Math.min(...s.starts);
    const t = result.terms;
    ctx.raise({
      type: 'beaconing',
      mitre: ['T1071'],
      score: Math.min(89, result.score),
      source,
      targets: [target],
      targetKey: `${target}:${service}`,
      firstSeen: first,
      lastSeen: s.lastTs,
      explanation: `${source} connected to ${target} ${service} ${count(n)} times over ${seconds(s.lastTs - first)}, every ${seconds(result.interval)} (median deviation ${seconds(result.intervalMad)}), ${bytes(result.size)} each (± ${bytes(result.sizeMad)}); beacon score ${result.score} = 100 × (0.45 × ${t.interval.toFixed(2)} interval + 0.25 × ${t.size.toFixed(2)} size + 0.15 × ${t.count.toFixed(2)} count + 0.15 × ${t.duration.toFixed(2)} duration).`,
      evidence: s.evidence,
      metrics: {
        connections: n,
        intervalSeconds: Number(result.interval.toFixed(3)),
        intervalMadSeconds: Number(result.intervalMad.toFixed(3)),
        sizeBytes: result.size,
        sizeMadBytes: result.sizeMad,
        intervalTerm: Number(t.interval.toFixed(3)),
        sizeTerm: Number(t.size.toFixed(3)),
        countTerm: Number(t.count.toFixed(3)),
        durationTerm: Number(t.duration.toFixed(3)),
      },
    });
  }

  const table = createWindowedTable<SeriesState>(
    ctx.config.maxTrackedPerDetector,
    cfg.windowSeconds,
    ctx.config.latenessSeconds,
    (ts) => ({ windowStart: ts, starts: [], sizes: [], lastTs: ts, evidence: [] }),
    evaluate,
  );

  return {
    name: 'beaconing',
    onFlow(f, sides) {
      if (cfg.outboundOnly && (sides & HOME_SIDES) !== SRC_HOME) return;
      if ((sides & DST_GROUP) !== 0 || f.endReason === 'active-timeout') return;
      if (ignored[f.dstPort] === 1 && (f.protocol === 6 || f.protocol === 17)) return;
      const s = table.touch(`${f.srcIp}|${f.dstIp}${suffix(f.protocol, f.dstPort)}`, f.firstTs);
      if (s.starts.length >= MAX_SAMPLES) {
        s.starts.splice(0, 32);
        s.sizes.splice(0, 32);
      }
      s.starts.push(f.firstTs);
      s.sizes.push(f.fwdBytes + f.revBytes);
      if (f.lastTs > s.lastTs) s.lastTs = f.lastTs;
      keepEvidence(s.evidence, f.communityId, ctx.config.maxEvidence);
    },
    expire: (now) => table.expire(now),
    finish: () => table.finish(),
    stats: () => table.stats(),
  };
}
