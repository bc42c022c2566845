/**
 * The synthetic capture behind `flowlens serve --demo`: two hours of a small office network
 * ending at `end`, so every dashboard range shows data. Six hosts browse over HTTPS (TLS
 * ClientHello with SNI) and HTTP, resolve names (some NXDOMAIN), ping each other and sync
 * time; one host beacons to an external address every 60 s; an outside address tries SSH
 * passwords against a server; an inside host port-scans it. Frames are Ethernet/IPv4,
 * timestamps in order.
 *
 * Contract: deterministic for a given `end` (seeded PRNG); returns whole pcap bytes.
 */
import { createPcapWriter } from '../../sources/index.js';

interface Timed {
  t: number;
  bytes: Uint8Array;
}

const GATEWAY_MAC = [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x01];
const ETH_IPV4 = 0x0800;
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function ipBytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function macOf(ip: string): number[] {
  const [, , c, d] = ipBytes(ip);
  return ip.startsWith('192.168.') ? [0x3c, 0x22, 0xfb, 0x10, c, d] : GATEWAY_MAC;
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

let ipId = 1;
function frame(src: string, dst: string, protocol: number, transport: Uint8Array): Uint8Array {
  const out = new Uint8Array(14 + 20 + transport.length);
  out.set(macOf(dst), 0);
  out.set(macOf(src), 6);
  out[12] = ETH_IPV4 >> 8;
  out[13] = ETH_IPV4 & 0xff;
  const ip = out.subarray(14, 34);
  ip[0] = 0x45;
  const total = 20 + transport.length;
  ip[2] = total >> 8;
  ip[3] = total & 0xff;
  ipId = (ipId + 1) & 0xffff;
  ip[4] = ipId >> 8;
  ip[5] = ipId & 0xff;
  ip[6] = 0x40; // don't fragment
  ip[8] = 64;
  ip[9] = protocol;
  ip.set(ipBytes(src), 12);
  ip.set(ipBytes(dst), 16);
  const sum = checksum(ip);
  ip[10] = sum >> 8;
  ip[11] = sum & 0xff;
  out.set(transport, 34);
  return out;
}

function u16(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >> 8) & 0xff;
  out[at + 1] = value & 0xff;
}

function u32(out: Uint8Array, at: number, value: number): void {
  u16(out, at, value >>> 16);
  u16(out, at + 2, value & 0xffff);
}

function tcpSegment(
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  u16(out, 0, sport);
  u16(out, 2, dport);
  u32(out, 4, seq >>> 0);
  u32(out, 8, ack >>> 0);
  out[12] = 5 << 4;
  out[13] = flags;
  u16(out, 14, 64240);
  out.set(payload, 20);
  return out;
}

function udpDatagram(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  u16(out, 0, sport);
  u16(out, 2, dport);
  u16(out, 4, out.length);
  out.set(payload, 8);
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function dnsName(name: string): Uint8Array {
  return concat([
    ...name.split('.').map((label) => concat([new Uint8Array([label.length]), text(label)])),
    new Uint8Array([0]),
  ]);
}

function dnsMessage(
  id: number,
  name: string,
  answer: string | undefined,
  response: boolean,
  nxdomain: boolean,
): Uint8Array {
  const header = new Uint8Array(12);
  u16(header, 0, id);
  u16(header, 2, response ? (nxdomain ? 0x8183 : 0x8180) : 0x0100);
  u16(header, 4, 1);
  u16(header, 6, response && answer ? 1 : 0);
  const question = concat([dnsName(name), new Uint8Array([0, 1, 0, 1])]);
  if (!response || !answer) return concat([header, question]);
  const record = new Uint8Array([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, ...ipBytes(answer)]);
  return concat([header, question, record]);
}

function clientHello(serverName: string, seed: () => number): Uint8Array {
  const name = text(serverName);
  const sni = new Uint8Array(9 + name.length);
  u16(sni, 0, 0x0000);
  u16(sni, 2, name.length + 5);
  u16(sni, 4, name.length + 3);
  sni[6] = 0;
  u16(sni, 7, name.length);
  sni.set(name, 9);
  const alpn = new Uint8Array([0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 2, 0x68, 0x32, 8, ...text('http/1.1')]);
  const versions = new Uint8Array([0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04]);
  const extensions = concat([sni, alpn, versions]);
  const random32 = Uint8Array.from({ length: 32 }, () => Math.floor(seed() * 256));
  const body = concat([
    new Uint8Array([0x03, 0x03]),
    random32,
    new Uint8Array([0, 0, 6, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 1, 0]),
    new Uint8Array([extensions.length >> 8, extensions.length & 0xff]),
    extensions,
  ]);
  const handshake = concat([new Uint8Array([1, 0, body.length >> 8, body.length & 0xff]), body]);
  return concat([
    new Uint8Array([0x16, 0x03, 0x01, handshake.length >> 8, handshake.length & 0xff]),
    handshake,
  ]);
}

/** One TCP connection: handshake, the client's then the server's payloads (MSS 1448), FIN close. */
function tcpSession(
  out: Timed[],
  start: number,
  client: string,
  sport: number,
  server: string,
  dport: number,
  request: Uint8Array,
  responseBytes: number,
  rtt: number,
  response?: Uint8Array,
): number {
  let t = start;
  let cseq = 1000 + sport * 7;
  let sseq = 5000 + dport * 13;
  const c = (flags: number, payload?: Uint8Array) =>
    out.push({ t, bytes: frame(client, server, 6, tcpSegment(sport, dport, cseq, sseq, flags, payload)) });
  const s = (flags: number, payload?: Uint8Array) =>
    out.push({ t, bytes: frame(server, client, 6, tcpSegment(dport, sport, sseq, cseq, flags, payload)) });
  c(TCP_SYN);
  cseq++;
  t += rtt;
  s(TCP_SYN | TCP_ACK);
  sseq++;
  t += 0.0002;
  c(TCP_ACK);
  t += 0.001;
  if (request.length > 0) {
    c(TCP_ACK | TCP_PSH, request);
    cseq += request.length;
  }
  const body = response ?? new Uint8Array(0);
  let left = responseBytes + body.length;
  let offset = 0;
  t += rtt;
  while (left > 0) {
    const size = Math.min(1448, left);
    const chunk = new Uint8Array(size);
    if (offset < body.length) chunk.set(body.subarray(offset, offset + size));
    s(TCP_ACK | (left === size ? TCP_PSH : 0), chunk);
    sseq += size;
    offset += size;
    left -= size;
    t += 0.0004;
    if (offset % (1448 * 4) === 0 || left === 0) c(TCP_ACK);
  }
  t += 0.01;
  c(TCP_FIN | TCP_ACK);
  cseq++;
  t += rtt;
  s(TCP_FIN | TCP_ACK);
  sseq++;
  t += 0.0002;
  c(TCP_ACK);
  return t;
}

const HOSTS = [
  '192.168.1.10',
  '192.168.1.11',
  '192.168.1.12',
  '192.168.1.13',
  '192.168.1.14',
  '192.168.1.15',
];
const SITES: [string, string][] = [
  ['github.com', '140.82.121.4'],
  ['www.wikipedia.org', '185.15.59.224'],
  ['news.ycombinator.com', '209.216.230.207'],
  ['www.debian.org', '130.89.148.77'],
  ['api.weather.example.net', '198.51.100.20'],
  ['updates.example.org', '203.0.113.80'],
  ['cdn.example.com', '93.184.215.14'],
];
const RESOLVERS = ['1.1.1.1', '9.9.9.9'];

/** Pcap bytes of the demo network's last two hours before `end` (Unix seconds). */
export function demoCapture(end: number): Uint8Array {
  const rnd = random(20261123);
  const start = end - 2 * 3600;
  const out: Timed[] = [];
  const port = () => 32768 + Math.floor(rnd() * 28000);

  // Browsing: each host visits sites through the two hours, resolving the name first.
  for (let visit = 0; visit < 900; visit++) {
    const host = HOSTS[Math.floor(rnd() * HOSTS.length)];
    const [name, address] = SITES[Math.floor(rnd() * SITES.length)];
    let t = start + rnd() * (end - start - 120);
    const resolver = RESOLVERS[visit % 2];
    const id = Math.floor(rnd() * 65535);
    const dnsPort = port();
    out.push({
      t,
      bytes: frame(
        host,
        resolver,
        17,
        udpDatagram(dnsPort, 53, dnsMessage(id, name, undefined, false, false)),
      ),
    });
    t += 0.008 + rnd() * 0.03;
    out.push({
      t,
      bytes: frame(resolver, host, 17, udpDatagram(53, dnsPort, dnsMessage(id, name, address, true, false))),
    });
    t += 0.002;
    const size = Math.floor(2000 + rnd() * rnd() * 400_000);
    if (visit % 5 === 0) {
      const request = text(
        `GET /index.html HTTP/1.1\r\nHost: ${name}\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\n\r\n`,
      );
      const head = text(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${size}\r\n\r\n`);
      tcpSession(out, t, host, port(), address, 80, request, size, 0.02 + rnd() * 0.03, head);
    } else {
      tcpSession(out, t, host, port(), address, 443, clientHello(name, rnd), size, 0.015 + rnd() * 0.04);
    }
  }
  // Names that do not exist.
  for (let i = 0; i < 40; i++) {
    const host = HOSTS[i % HOSTS.length];
    const t = start + rnd() * (end - start - 10);
    const name = `printer-${i % 7}.corp.example`;
    const p = port();
    out.push({
      t,
      bytes: frame(host, RESOLVERS[0], 17, udpDatagram(p, 53, dnsMessage(i, name, undefined, false, false))),
    });
    out.push({
      t: t + 0.02,
      bytes: frame(RESOLVERS[0], host, 17, udpDatagram(53, p, dnsMessage(i, name, undefined, true, true))),
    });
  }
  // Time sync every 10 minutes, pings between hosts.
  for (let t = start + 30; t < end - 5; t += 600) {
    for (const host of HOSTS) {
      const ntp = new Uint8Array(48);
      ntp[0] = 0x23;
      out.push({ t, bytes: frame(host, '162.159.200.1', 17, udpDatagram(123, 123, ntp)) });
      const reply = new Uint8Array(48);
      reply[0] = 0x24;
      out.push({ t: t + 0.011, bytes: frame('162.159.200.1', host, 17, udpDatagram(123, 123, reply)) });
    }
    for (let seq = 1; seq <= 4; seq++) {
      const echo = (type: number) => {
        const icmp = new Uint8Array(64);
        icmp[0] = type;
        u16(icmp, 4, 0x77);
        u16(icmp, 6, seq);
        u16(icmp, 2, checksum(icmp));
        return icmp;
      };
      out.push({ t: t + seq, bytes: frame(HOSTS[1], HOSTS[0], 1, echo(8)) });
      out.push({ t: t + seq + 0.0006, bytes: frame(HOSTS[0], HOSTS[1], 1, echo(0)) });
    }
  }
  // A beacon: 192.168.1.14 posts 300 bytes to an outside address every 60 s (± 1 s).
  for (let t = start + 45; t < end - 60; t += 60 + (rnd() - 0.5) * 2) {
    tcpSession(out, t, HOSTS[4], port(), '198.18.7.77', 8443, new Uint8Array(300).fill(0x41), 120, 0.09);
  }
  // SSH password guessing from outside, 20 minutes before the end.
  const sshBanner = text('SSH-2.0-OpenSSH_9.6\r\n');
  for (let i = 0; i < 40; i++) {
    tcpSession(
      out,
      end - 1200 + i * 4,
      '203.0.113.50',
      port(),
      HOSTS[0],
      22,
      text('SSH-2.0-libssh_0.9.6\r\n'),
      1200,
      0.06,
      sshBanner,
    );
  }
  // A vertical port scan from an inside host, 10 minutes before the end: RST for closed ports.
  const scanner = '192.168.1.66';
  for (let p = 1; p <= 300; p++) {
    const t = end - 600 + p * 0.01;
    out.push({ t, bytes: frame(scanner, HOSTS[2], 6, tcpSegment(51515, p, 777, 0, TCP_SYN)) });
    out.push({
      t: t + 0.0003,
      bytes: frame(HOSTS[2], scanner, 6, tcpSegment(p, 51515, 0, 778, TCP_RST | TCP_ACK)),
    });
  }

  out.sort((a, b) => a.t - b.t);
  const writer = createPcapWriter({ linkType: 1 });
  for (const packet of out) writer.writePacket(packet.bytes, packet.t);
  return writer.toBuffer();
}
