/**
 * The tshark/capinfos side of the oracle tests: what Wireshark counts per capture and per TCP/UDP
 * conversation, reduced to totals per 5-tuple that our flows can be compared with.
 *
 * Contract: `tsharkFrames` runs tshark once per file and parses one row per packet it read (for a
 * damaged file, the packets before the error; records that are not packets, such as pcapng
 * Custom Blocks, which tshark lists as frames without an encapsulation, are dropped, as capinfos
 * does not count them). `tupleTotals` attributes each frame to at most one TCP/UDP conversation
 * by the rules our engine documents:
 * - the innermost IP layer that is not quoted as data (inside an ICMP/ICMPv6 error, or a packet
 *   sample in sFlow) gives the addresses, and the transport header right after it (IPv6
 *   extension headers skipped) the protocol and ports; a frame whose innermost transport is not
 *   TCP/UDP (an ICMP error quoting UDP, Teredo carrying ICMPv6, GRE carrying PPP) belongs to no
 *   TCP/UDP conversation, whatever stream number tshark gives its outer layer;
 * - IP fragments belong to the conversation of their reassembled datagram: tshark shows the
 *   datagram on its last fragment's frame, whose `ip.fragment`/`ipv6.fragment` lists every
 *   fragment's frame number;
 * - IP bytes are the innermost (as above) IPv4 total length, or IPv6 payload length + 40, of
 *   each frame.
 */
import { run } from './run.js';

const FIELDS = [
  'frame.number',
  'frame.encap_type',
  'frame.len',
  'frame.protocols',
  'tcp.stream',
  'udp.stream',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'ip.len',
  'ipv6.plen',
  'ip.fragment',
  'ipv6.fragment',
] as const;
type Field = (typeof FIELDS)[number];

/** One tshark row; multi-valued fields (one value per occurrence, outermost first) as arrays. */
export type TsharkRow = Record<Field, string[]>;

export interface TsharkResult {
  rows: TsharkRow[];
  /** tshark's complaint about a damaged file (stderr without the root warning), or ''. */
  error: string;
}

function stderrText(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('Running as user'))
    .join('\n');
}

export function parseTsharkFields(text: string): TsharkRow[] {
  const rows: TsharkRow[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const cells = line.split('\t');
    const row = {} as TsharkRow;
    FIELDS.forEach((field, i) => {
      const cell = cells[i] ?? '';
      row[field] = cell === '' ? [] : cell.split(',');
    });
    if (row['frame.encap_type'].length > 0) rows.push(row);
  }
  return rows;
}

export async function tsharkFrames(file: string): Promise<TsharkResult> {
  const args = ['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a'];
  for (const field of FIELDS) args.push('-e', field);
  const result = await run('tshark', args);
  const error = stderrText(result.stderr);
  if (result.code !== 0 && result.stdout === '') throw new Error(`tshark failed on ${file}: ${error}`);
  return { rows: parseTsharkFields(result.stdout), error };
}

export interface CapinfosResult {
  /** Packets capinfos read (before the error, for a damaged file). */
  packets: number;
  /** capinfos' "data size": the sum of the frames' original lengths; null when it printed none. */
  dataBytes: number | null;
  error: string;
}

export async function capinfos(file: string): Promise<CapinfosResult> {
  const result = await run('capinfos', ['-M', '-T', '-r', '-c', '-d', file]);
  const error = stderrText(result.stderr);
  const row = result.stdout.split('\n').find((line) => line.includes('\t'));
  if (row !== undefined) {
    const [, packets, bytes] = row.split('\t');
    return { packets: Number(packets), dataBytes: Number(bytes), error };
  }
  // A damaged file without a table row: "An error occurred after reading N packets from …".
  const read = /after reading (\d+) packets/.exec(error);
  if (read === null) throw new Error(`capinfos failed on ${file}: ${error}`);
  return { packets: Number(read[1]), dataBytes: null, error };
}

/**
 * IP address in one spelling for both tools: IPv6 compressed as RFC 5952 (via the WHATWG URL
 * serializer, which also rewrites an embedded IPv4 tail into hex groups), IPv4 unchanged.
 */
export function normalizeIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** Direction-free key of a TCP/UDP 5-tuple: `proto endpoint endpoint`, endpoints sorted. */
export function tupleKey(protocol: number, ipA: string, portA: number, ipB: string, portB: number): string {
  const a = `${normalizeIp(ipA)}/${portA}`;
  const b = `${normalizeIp(ipB)}/${portB}`;
  return a < b ? `${protocol} ${a} ${b}` : `${protocol} ${b} ${a}`;
}

export interface TupleTotals {
  packets: number;
  frameBytes: number;
  bytes: number;
  /** tshark tcp.stream/udp.stream numbers seen for the tuple (its connections). */
  streams: Set<number>;
}

interface Attribution {
  key: string;
  stream: number;
}

/** Protocols whose payload quotes another packet's headers: what follows is data, not a tunnel. */
const QUOTING = new Set(['icmp', 'icmpv6', 'sflow']);

/** The TCP/UDP conversation a row's own headers belong to, or null (see the file contract). */
export function classifyRow(row: TsharkRow): (Attribution & { bytes: number }) | null {
  const tokens = row['frame.protocols'][0]?.split(':') ?? [];
  const counts = { ip: 0, ipv6: 0, tcp: 0, udp: 0 };
  let flowIp: { version: 4 | 6; index: number } | null = null;
  let transport: { kind: 'tcp' | 'udp'; index: number } | null = null;
  let afterFlowIp = false;
  for (const token of tokens) {
    if (QUOTING.has(token)) break;
    if (token === 'ip' || token === 'ipv6') {
      flowIp = { version: token === 'ip' ? 4 : 6, index: counts[token]++ };
      transport = null;
      afterFlowIp = true;
      continue;
    }
    if (token.startsWith('ipv6.')) continue;
    if (token === 'tcp' || token === 'udp') {
      if (afterFlowIp) transport = { kind: token, index: counts[token] };
      counts[token]++;
    }
    afterFlowIp = false;
  }
  if (flowIp === null || transport === null) return null;
  const family = flowIp.version === 4 ? 'ip' : 'ipv6';
  const src = row[`${family}.src`][flowIp.index];
  const dst = row[`${family}.dst`][flowIp.index];
  const length = flowIp.version === 4 ? row['ip.len'][flowIp.index] : row['ipv6.plen'][flowIp.index];
  const sport = row[`${transport.kind}.srcport`][transport.index];
  const dport = row[`${transport.kind}.dstport`][transport.index];
  const stream = row[`${transport.kind}.stream`][transport.index];
  if ([src, dst, length, sport, dport, stream].some((v) => v === undefined)) return null;
  const protocol = transport.kind === 'tcp' ? 6 : 17;
  return {
    key: tupleKey(protocol, src!, Number(sport), dst!, Number(dport)),
    stream: Number(stream),
    bytes: Number(length) + (flowIp.version === 6 ? 40 : 0),
  };
}

/** IP bytes of a row's innermost IP layer that is not quoted data; 0 without IP. */
function innermostIpBytes(row: TsharkRow): number {
  const tokens = row['frame.protocols'][0]?.split(':') ?? [];
  const counts = { ip: 0, ipv6: 0 };
  let last: { version: 4 | 6; index: number } | null = null;
  for (const token of tokens) {
    if (QUOTING.has(token)) break;
    if (token === 'ip' || token === 'ipv6')
      last = { version: token === 'ip' ? 4 : 6, index: counts[token]++ };
  }
  if (last === null) return 0;
  const value = last.version === 4 ? row['ip.len'][last.index] : row['ipv6.plen'][last.index];
  return value === undefined ? 0 : Number(value) + (last.version === 6 ? 40 : 0);
}

/** TCP/UDP totals per direction-free 5-tuple (see the file contract). */
export function tupleTotals(rows: TsharkRow[]): Map<string, TupleTotals> {
  const byFrame = new Map<number, Attribution & { bytes: number }>();
  for (const row of rows) {
    const own = classifyRow(row);
    if (own === null) continue;
    byFrame.set(Number(row['frame.number'][0]), own);
    for (const listed of [...row['ip.fragment'], ...row['ipv6.fragment']]) {
      const frame = Number(listed);
      if (!byFrame.has(frame)) byFrame.set(frame, { ...own, bytes: -1 });
    }
  }
  const totals = new Map<string, TupleTotals>();
  for (const row of rows) {
    const attribution = byFrame.get(Number(row['frame.number'][0]));
    if (attribution === undefined) continue;
    let t = totals.get(attribution.key);
    if (t === undefined) {
      t = { packets: 0, frameBytes: 0, bytes: 0, streams: new Set() };
      totals.set(attribution.key, t);
    }
    t.packets++;
    t.frameBytes += Number(row['frame.len'][0]);
    t.bytes += attribution.bytes >= 0 ? attribution.bytes : innermostIpBytes(row);
    t.streams.add(attribution.stream);
  }
  return totals;
}
