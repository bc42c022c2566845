/**
 * Builds the synthetic captures for the detections in `test/fixtures/` with the project's own
 * pcap writer: small, deterministic, the expected alerts stated in `test/detect-fixtures.test.ts`.
 *
 * Regenerate with `FLOWLENS_WRITE_FIXTURES=1 npx vitest run test/detect-fixtures.test.ts`; without
 * that variable the same test fails when a committed fixture differs from what this script builds.
 */
import { createPcapWriter } from '../src/sources/pcap-file/index.js';
import { ETHERTYPE, ethernet, ipv4, PROTO, udp } from '../test/support/packet-builder.js';

/** 2023-11-14T22:13:20Z, as in make-fixtures.ts. */
const T0 = 1_700_000_000;

const DNS_TYPE = { A: 1, TXT: 16 } as const;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Deterministic pseudo-random bytes (a 32-bit LCG), the "exfiltrated file". */
function bytesFrom(seed: number, length: number): number[] {
  const out: number[] = [];
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.push(x >>> 24);
  }
  return out;
}

/** RFC 4648 base32, lower case, no padding: how DNS tunnels fit binary data into a hostname. */
function base32(data: number[]): string {
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) text += BASE32[(value << (5 - bits)) & 31];
  return text;
}

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.')) out.push(label.length, ...Buffer.from(label, 'ascii'));
  out.push(0);
  return out;
}

/**
 * A DNS query (RFC 1035 §4.1) for `name`/`type`, or its response with one answer: a TXT string
 * or an A address, the answer's name a pointer to the question (0xc00c).
 */
function dnsMessage(id: number, name: string, type: number, answer?: number[]): Uint8Array {
  const response = answer !== undefined;
  const header = [
    id >> 8,
    id & 0xff,
    response ? 0x81 : 0x01,
    response ? 0x80 : 0x00,
    0,
    1,
    0,
    response ? 1 : 0,
  ];
  const question = [...encodeName(name), 0, type, 0, 1];
  const rr =
    answer === undefined
      ? []
      : [0xc0, 12, 0, type, 0, 1, 0, 0, 0, 60, answer.length >> 8, answer.length & 0xff, ...answer];
  return Uint8Array.from([...header, 0, 0, 0, 0, ...question, ...rr]);
}

function udpPacket(src: string, dst: string, srcPort: number, dstPort: number, payload: Uint8Array) {
  return ethernet({
    etherType: ETHERTYPE.IPV4,
    payload: ipv4({ src, dst, protocol: PROTO.UDP, payload: udp({ srcPort, dstPort, payload }) }),
  });
}

interface Timed {
  t: number;
  bytes: Uint8Array;
}

export const DNS_TUNNEL_FIXTURE = {
  file: 'dns-tunnel.pcap',
  client: '10.20.0.7',
  resolver: '10.20.0.53',
  domain: 'exfil.example',
  queries: 60,
  /** A new client port every `queriesPerPort` queries, so the tunnel spans several flows. */
  queriesPerPort: 10,
  benignClient: '10.20.0.8',
  benignQueries: 30,
} as const;

/**
 * A DNS tunnel: 60 TXT queries, 0.5 s apart, each carrying 25 bytes of a file as base32 in its
 * labels (`<40 chars>.<sequence>.t.exfil.example`), each answered with a base32 TXT record; and
 * beside it a busy, ordinary client: 30 A queries for 20 names under example.com, answered.
 */
function dnsTunnel(): Timed[] {
  const f = DNS_TUNNEL_FIXTURE;
  const packets: Timed[] = [];
  for (let i = 0; i < f.queries; i++) {
    const t = T0 + i * 0.5;
    const port = 40000 + Math.floor(i / f.queriesPerPort);
    const name = `${base32(bytesFrom(i + 1, 25))}.${i.toString(16)}.t.${f.domain}`;
    const txt = Buffer.from(base32(bytesFrom(1000 + i, 20)), 'ascii');
    const id = 0x1000 + i;
    packets.push({ t, bytes: udpPacket(f.client, f.resolver, port, 53, dnsMessage(id, name, DNS_TYPE.TXT)) });
    packets.push({
      t: t + 0.02,
      bytes: udpPacket(
        f.resolver,
        f.client,
        53,
        port,
        dnsMessage(id, name, DNS_TYPE.TXT, [txt.length, ...txt]),
      ),
    });
  }
  const hosts = ['www', 'mail', 'api', 'cdn', 'static', 'img', 'login', 'docs', 'shop', 'news'];
  for (let i = 0; i < f.benignQueries; i++) {
    const t = T0 + 0.25 + i;
    const name = `${hosts[i % hosts.length]}${i % 20 < 10 ? '' : '2'}.example.com`;
    const id = 0x2000 + i;
    packets.push({
      t,
      bytes: udpPacket(f.benignClient, f.resolver, 50000 + i, 53, dnsMessage(id, name, DNS_TYPE.A)),
    });
    packets.push({
      t: t + 0.01,
      bytes: udpPacket(
        f.resolver,
        f.benignClient,
        53,
        50000 + i,
        dnsMessage(id, name, DNS_TYPE.A, [192, 0, 2, i + 1]),
      ),
    });
  }
  return packets.sort((a, b) => a.t - b.t);
}

/** Every detection fixture's file name with its bytes. */
export function buildDetectionFixtures(): Map<string, Buffer> {
  const writer = createPcapWriter({ linkType: 1 });
  for (const p of dnsTunnel()) writer.writePacket(p.bytes, p.t);
  return new Map([[DNS_TUNNEL_FIXTURE.file, writer.toBuffer()]]);
}
