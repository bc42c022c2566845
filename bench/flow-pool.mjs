/**
 * The realistic flow records the benchmarks replay (store-bench.mjs, detect-bench.mjs): a pool
 * of up to 200k records, either sampled from `flowlens analyze --format ndjson` on
 * bench/out/bench-4.pcap (its real host, port and size mix) or a built-in mix (Zipf-distributed
 * hosts, 443/80/53/22/123), replayed with shifted timestamps and source ports until N flows.
 * needs: `npm run build` (the sampled pool runs the CLI).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLE = path.join(ROOT, 'bench', 'out', 'bench-4.pcap');
export const POOL_SIZE = 200_000;

/** Up to POOL_SIZE flows of the sample capture, read from analyze's NDJSON as they stream. */
export async function sampledPool() {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'flowlens.cjs'), 'analyze', SAMPLE, '--format', 'ndjson', '--no-progress'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const pool = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line);
    if (record.communityId === undefined) continue;
    pool.push(likePipeline(record));
    if (pool.length >= POOL_SIZE) break;
  }
  child.kill();
  return pool;
}

/** A parsed record in the one field order the flow table emits, as the ingest path sees it. */
function likePipeline(r) {
  const flow = {
    communityId: r.communityId,
    protocol: r.protocol,
    ipVersion: r.ipVersion,
    srcIp: r.srcIp,
    srcPort: r.srcPort,
    dstIp: r.dstIp,
    dstPort: r.dstPort,
    vlan: r.vlan,
    firstTs: r.firstTs,
    lastTs: r.lastTs,
    packets: r.packets,
    bytes: r.bytes,
    frameBytes: r.frameBytes,
    fwdPackets: r.fwdPackets,
    fwdBytes: r.fwdBytes,
    revPackets: r.revPackets,
    revBytes: r.revBytes,
    tcpFlags: r.tcpFlags,
    fwdTcpFlags: r.fwdTcpFlags,
    revTcpFlags: r.revTcpFlags,
    state: r.state,
    endReason: r.endReason,
    fragments: r.fragments,
    tunnel: r.tunnel,
    sourceKind: 'pcap',
  };
  return flow;
}

/** Zipf(s = 1.1) over `n` ranks, by inverse CDF on a precomputed table. */
function zipf(n, random) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf[k - 1] = sum += 1 / k ** 1.1;
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * The built-in mix. Options (defaults: the store benchmark's mix):
 * - `externalShare`: this share of destinations outside the home networks (198.51/16,
 *   2a00:1450::/32), so outbound detectors (exfiltration, beaconing) have work;
 * - `sequentialTime`: flows start in pool order over the day instead of at random times;
 * - `unansweredS0`: S0 flows carry a lone SYN and nothing back, as the flow table makes them.
 */
export function builtinPool({ externalShare = 0, sequentialTime = false, unansweredS0 = false } = {}) {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const host = zipf(50_000, random);
  const ip = (i) =>
    i % 10 === 9 ? `2001:db8::${(i + 1).toString(16)}` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const external = (i) =>
    i % 10 === 9 ? `2a00:1450::${(i + 1).toString(16)}` : `198.51.${(i >> 8) & 255}.${i & 255}`;
  const services = [
    [0.5, 6, 443, 'SF', 'tcp-fin'],
    [0.1, 6, 80, 'SF', 'tcp-fin'],
    [0.25, 17, 53, 'SF', 'idle-timeout'],
    [0.1, 6, 22, 'S0', 'idle-timeout'],
    [0.05, 17, 123, 'S0', 'idle-timeout'],
  ];
  const pool = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const u = random();
    let cumulative = 0;
    const [, protocol, dstPort, state, endReason] =
      services.find(([p]) => {
        cumulative += p;
        return u < cumulative;
      }) ?? services[0];
    const src = host();
    let dst = host();
    if (ip(src).includes(':') !== ip(dst).includes(':')) dst = src === 9 ? 19 : src + 10;
    const dstIp = externalShare > 0 && random() < externalShare ? external(dst) : ip(dst);
    const packets = 1 + Math.floor(-Math.log(random()) * 20);
    const bytes = packets * (60 + Math.floor(random() * 1400));
    const first = 1_700_000_000 + (sequentialTime ? i / POOL_SIZE : random()) * 86_400;
    const lone = unansweredS0 && state === 'S0';
    pool.push({
      communityId: `1:${Buffer.from(String(i).padStart(20, '0')).toString('base64').slice(0, 27)}=`,
      protocol,
      ipVersion: ip(src).includes(':') ? 6 : 4,
      srcIp: ip(src),
      srcPort: 1024 + Math.floor(random() * 64_000),
      dstIp,
      dstPort,
      vlan: 0,
      firstTs: Math.round(first * 1e6) / 1e6,
      lastTs: Math.round((first + random() * 30) * 1e6) / 1e6,
      packets,
      bytes,
      frameBytes: bytes + packets * 14,
      fwdPackets: Math.ceil(packets / 2),
      fwdBytes: Math.ceil(bytes / 3),
      revPackets: lone ? 0 : Math.floor(packets / 2),
      revBytes: lone ? 0 : bytes - Math.ceil(bytes / 3),
      tcpFlags: protocol === 6 ? 0x1b : 0,
      fwdTcpFlags: protocol === 6 ? (lone ? 0x02 : 0x1b) : 0,
      revTcpFlags: protocol === 6 && !lone ? 0x12 : 0,
      state,
      endReason,
      fragments: 0,
      tunnel: undefined,
      sourceKind: 'pcap',
    });
  }
  return pool;
}

/**
 * Flow `i` of the replay: the pool's flow `i % size` as it is in the first cycle; in cycle c ≥ 2,
 * c days later from c source ports up, so later cycles are new flows with the same mix.
 */
export function replayed(pool, i) {
  const base = pool[i % pool.length];
  const cycle = Math.floor(i / pool.length) + 1;
  if (cycle === 1) return base;
  return {
    ...base,
    firstTs: base.firstTs + cycle * 86_400,
    lastTs: base.lastTs + cycle * 86_400,
    srcPort: (base.srcPort + cycle) % 65_536,
  };
}
