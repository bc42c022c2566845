import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodedPacket, FlowRecord } from '../model/index.js';
import {
  communityId,
  createDecodedPacket,
  ICMP_V4_COUNTERPART,
  ICMP_V6_COUNTERPART,
  IP_PROTO,
  PACKET_KIND,
  TCP_FLAG,
} from '../model/index.js';
import { DEFAULT_FLOW_TABLE_CONFIG, type FlowTableConfig } from './config.js';
import { createFlowTable } from './flow-table.js';

const { SYN, ACK, FIN, RST } = TCP_FLAG;

interface PacketSpec {
  src: string;
  dst: string;
  proto?: number;
  sport?: number;
  dport?: number;
  flags?: number;
  seq?: number;
  ipBytes?: number;
  vlan?: number;
  fragment?: { id: number; offset: number; more: boolean };
}

function packetOf(spec: PacketSpec): DecodedPacket {
  const p = createDecodedPacket();
  const v6 = spec.src.includes(':');
  const parse = (ip: string) =>
    v6
      ? Uint8Array.from(
          Buffer.from(
            ip
              .split(':')
              .map((g) => g.padStart(4, '0'))
              .join(''),
            'hex',
          ),
        )
      : Uint8Array.from(ip.split('.').map(Number));
  const src = parse(spec.src);
  const dst = parse(spec.dst);
  p.data = new Uint8Array([...src, ...dst]);
  p.kind = PACKET_KIND.IP;
  p.ipVersion = v6 ? 6 : 4;
  p.srcAddrOffset = 0;
  p.dstAddrOffset = src.length;
  p.protocol = spec.proto ?? IP_PROTO.TCP;
  p.srcPort = spec.sport ?? 0;
  p.dstPort = spec.dport ?? 0;
  p.hasPorts = spec.fragment === undefined || spec.fragment.offset === 0;
  if (!p.hasPorts) {
    p.srcPort = 0;
    p.dstPort = 0;
  }
  p.tcpFlags = spec.flags ?? 0;
  p.tcpSeq = spec.seq ?? 1000;
  p.ipBytes = spec.ipBytes ?? 60;
  p.vlanId = spec.vlan ?? 0;
  if (spec.fragment) {
    p.isFragment = true;
    p.fragmentId = spec.fragment.id;
    p.fragmentOffset = spec.fragment.offset;
    p.moreFragments = spec.fragment.more;
  }
  return p;
}

function run(packets: [number, PacketSpec][], config: Partial<FlowTableConfig> = {}) {
  const records: FlowRecord[] = [];
  const table = createFlowTable({ ...DEFAULT_FLOW_TABLE_CONFIG, ...config }, (r) => records.push(r));
  for (const [ts, spec] of packets) table.addPacket(packetOf(spec), ts, (spec.ipBytes ?? 60) + 14);
  table.flush();
  return { records, stats: table.stats() };
}

const C = '10.0.0.1';
const S = '10.0.0.2';

describe('flow table', () => {
  it('merges both directions of a TCP connection and reads its state', () => {
    const { records } = run([
      [1, { src: C, dst: S, sport: 40000, dport: 80, flags: SYN }],
      [1.1, { src: S, dst: C, sport: 80, dport: 40000, flags: SYN | ACK, ipBytes: 60 }],
      [1.2, { src: C, dst: S, sport: 40000, dport: 80, flags: ACK, ipBytes: 52 }],
      [1.3, { src: C, dst: S, sport: 40000, dport: 80, flags: FIN | ACK, ipBytes: 52 }],
      [1.4, { src: S, dst: C, sport: 80, dport: 40000, flags: FIN | ACK, ipBytes: 52 }],
      [1.5, { src: C, dst: S, sport: 40000, dport: 80, flags: ACK, ipBytes: 52 }],
    ]);
    expect(records).toHaveLength(1);
    const r = records[0];
    expect(r).toMatchObject({
      srcIp: C,
      dstIp: S,
      srcPort: 40000,
      dstPort: 80,
      packets: 6,
      fwdPackets: 4,
      revPackets: 2,
      fwdBytes: 60 + 52 * 3,
      revBytes: 112,
      bytes: 60 + 52 * 3 + 112,
      frameBytes: 6 * 14 + 60 + 52 * 3 + 112,
      state: 'SF',
      endReason: 'tcp-fin',
      firstTs: 1,
      lastTs: 1.5,
    });
    expect(r.tcpFlags).toBe(SYN | ACK | FIN);
  });

  it('gives a flow first seen by its SYN-ACK to the SYN-ACK receiver', () => {
    const { records } = run([[1, { src: S, dst: C, sport: 80, dport: 40000, flags: SYN | ACK }]]);
    expect(records[0]).toMatchObject({ srcIp: C, srcPort: 40000, dstIp: S, revPackets: 1, fwdPackets: 0 });
  });

  it('ends closed TCP flows after the grace period and idle flows after their timeout', () => {
    const { records } = run([
      [0, { src: C, dst: S, sport: 1, dport: 2, flags: SYN }],
      [0.1, { src: S, dst: C, sport: 2, dport: 1, flags: RST | ACK }],
      [0, { src: C, dst: S, proto: IP_PROTO.UDP, sport: 5000, dport: 53 }],
      [100, { src: C, dst: S, proto: IP_PROTO.UDP, sport: 5001, dport: 53 }],
    ]);
    expect(records.map((r) => [r.srcPort, r.endReason, r.state])).toEqual([
      [1, 'tcp-rst', 'REJ'],
      [5000, 'idle-timeout', 'S0'],
      [5001, 'end-of-input', 'S0'],
    ]);
  });

  it('starts a new flow when a SYN with a new sequence number reuses the ports', () => {
    const { records } = run([
      [0, { src: C, dst: S, sport: 1, dport: 2, flags: SYN, seq: 1 }],
      [0.1, { src: C, dst: S, sport: 1, dport: 2, flags: SYN, seq: 1 }],
      [0.2, { src: C, dst: S, sport: 1, dport: 2, flags: SYN, seq: 99 }],
    ]);
    expect(records.map((r) => [r.packets, r.endReason])).toEqual([
      [2, 'tcp-reuse'],
      [1, 'end-of-input'],
    ]);
  });

  it('emits interim records for long flows', () => {
    const packets: [number, PacketSpec][] = [];
    for (let t = 0; t <= 250; t += 10)
      packets.push([t, { src: C, dst: S, proto: IP_PROTO.UDP, sport: 7, dport: 7 }]);
    const { records } = run(packets, { activeTimeout: 100 });
    expect(records.map((r) => [r.firstTs, r.lastTs, r.packets, r.endReason])).toEqual([
      [0, 90, 10, 'active-timeout'],
      [100, 190, 10, 'active-timeout'],
      [200, 250, 6, 'end-of-input'],
    ]);
  });

  it('keys flows by VLAN too', () => {
    const { records } = run([
      [0, { src: C, dst: S, proto: IP_PROTO.UDP, sport: 1, dport: 2, vlan: 10 }],
      [0, { src: S, dst: C, proto: IP_PROTO.UDP, sport: 2, dport: 1, vlan: 20 }],
    ]);
    expect(records).toHaveLength(2);
    expect(records.map((r) => r.vlan).sort()).toEqual([10, 20]);
  });

  it('counts IP fragments in the flow of their first fragment', () => {
    const frag = (offset: number, more: boolean) => ({ id: 7, offset, more });
    const { records, stats } = run([
      [
        0,
        {
          src: C,
          dst: S,
          proto: IP_PROTO.UDP,
          sport: 53,
          dport: 3333,
          ipBytes: 1500,
          fragment: frag(0, true),
        },
      ],
      [0, { src: C, dst: S, proto: IP_PROTO.UDP, ipBytes: 1500, fragment: frag(1480, true) }],
      [0, { src: C, dst: S, proto: IP_PROTO.UDP, ipBytes: 300, fragment: frag(2960, false) }],
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ packets: 3, bytes: 3300, fragments: 3, srcPort: 53, dstPort: 3333 });
    expect(stats.orphanFragments).toBe(0);
  });

  it('holds fragments that arrive before their first fragment, and never drops them', () => {
    const frag = (id: number, offset: number, more: boolean) => ({ id, offset, more });
    const { records, stats } = run([
      [0, { src: C, dst: S, proto: IP_PROTO.UDP, ipBytes: 300, fragment: frag(7, 2960, false) }],
      [0.1, { src: C, dst: S, proto: IP_PROTO.UDP, ipBytes: 1500, fragment: frag(7, 1480, true) }],
      [
        0.2,
        {
          src: C,
          dst: S,
          proto: IP_PROTO.UDP,
          sport: 53,
          dport: 3333,
          ipBytes: 1500,
          fragment: frag(7, 0, true),
        },
      ],
      // A datagram whose first fragment never comes.
      [0.3, { src: C, dst: S, proto: IP_PROTO.UDP, ipBytes: 500, fragment: frag(8, 1480, false) }],
    ]);
    expect(records.map((r) => [r.srcPort, r.dstPort, r.packets, r.bytes, r.fragments, r.firstTs])).toEqual([
      [53, 3333, 3, 3300, 3, 0],
      [0, 0, 1, 500, 1, 0.3],
    ]);
    expect(stats.orphanFragments).toBe(1);
  });

  it('joins ICMP echo request and reply, IPv6 too', () => {
    const { records } = run([
      [
        0,
        {
          src: 'fe80:0:0:0:0:0:0:1',
          dst: 'fe80:0:0:0:0:0:0:2',
          proto: IP_PROTO.ICMPV6,
          sport: 128,
          dport: 0,
        },
      ],
      [
        0.1,
        {
          src: 'fe80:0:0:0:0:0:0:2',
          dst: 'fe80:0:0:0:0:0:0:1',
          proto: IP_PROTO.ICMPV6,
          sport: 129,
          dport: 0,
        },
      ],
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ srcIp: 'fe80::1', dstIp: 'fe80::2', packets: 2, state: 'SF' });
  });

  it('evicts the least recently seen flow when full', () => {
    const { records, stats } = run(
      [
        [0, { src: C, dst: S, proto: IP_PROTO.UDP, sport: 1, dport: 1 }],
        [1, { src: C, dst: S, proto: IP_PROTO.UDP, sport: 2, dport: 2 }],
        [2, { src: C, dst: S, proto: IP_PROTO.UDP, sport: 3, dport: 3 }],
      ],
      { maxFlows: 2 },
    );
    expect(records[0]).toMatchObject({ srcPort: 1, endReason: 'evicted' });
    expect(stats.evictedFlows).toBe(1);
  });

  /** `rounds` UDP packets of each of `n` flows (distinct source ports and hosts), in turn. */
  function manyFlows(n: number, rounds: number, limits?: { memoryBytes?: number }) {
    const records: FlowRecord[] = [];
    const table = createFlowTable(DEFAULT_FLOW_TABLE_CONFIG, (r) => records.push(r), limits);
    const p = packetOf({ src: C, dst: S, proto: IP_PROTO.UDP, sport: 1, dport: 53 });
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < n; i++) {
        p.data[2] = i >>> 16;
        p.srcPort = (i & 0xffff) + 1;
        table.addPacket(p, 1 + round + i * 1e-6, 74);
      }
    }
    const during = table.stats();
    table.flush();
    return { records, during, stats: table.stats() };
  }

  it('grows past its first 65,536 slots, keeping every flow', () => {
    // The second round finds each flow again through the index rebuilt by the growth.
    const { records, during } = manyFlows(200_000, 2);
    expect(during.activeFlows).toBe(200_000);
    expect(during.evictedFlows).toBe(0);
    expect(records).toHaveLength(200_000);
    expect(new Set(records.map((r) => `${r.srcIp}:${r.srcPort}`)).size).toBe(200_000);
    expect(records.every((r) => r.packets === 2 && r.bytes === 120 && r.frameBytes === 148)).toBe(true);
  });

  it('evicts instead of growing past its memory limit, losing no packet', () => {
    // 16 MiB holds the first 65,536 slots (≈ 11 MB) but not twice as many.
    const { records, during } = manyFlows(70_000, 1, { memoryBytes: 16 * 1024 ** 2 });
    expect(during.activeFlows).toBe(65_536);
    expect(during.evictedFlows).toBe(70_000 - 65_536);
    expect(records.filter((r) => r.endReason === 'evicted')).toHaveLength(70_000 - 65_536);
    // The least recently seen flows went first: the first 4,464 sources, in order.
    expect(records.slice(0, 3).map((r) => r.srcPort)).toEqual([1, 2, 3]);
    expect(records.reduce((sum, r) => sum + r.packets, 0)).toBe(70_000);
  });

  it('preserves packet and byte totals and direction symmetry (property)', () => {
    const endpoint = fc.record({
      host: fc.integer({ min: 1, max: 4 }),
      port: fc.integer({ min: 1, max: 3 }),
    });
    const spec = fc.record({
      a: endpoint,
      b: endpoint,
      proto: fc.constantFrom(IP_PROTO.TCP, IP_PROTO.UDP),
      flags: fc.constantFrom(0, SYN, SYN | ACK, ACK, FIN | ACK, RST),
      seq: fc.integer({ min: 0, max: 3 }),
      bytes: fc.integer({ min: 20, max: 1500 }),
      dt: fc.double({ min: 0, max: 400, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 200 }), (specs) => {
        let t = 0;
        const packets: [number, PacketSpec][] = specs.map((s) => {
          t += s.dt;
          return [
            t,
            {
              src: `10.0.0.${s.a.host}`,
              dst: `10.0.0.${s.b.host}`,
              sport: s.a.port,
              dport: s.b.port,
              proto: s.proto,
              flags: s.proto === IP_PROTO.TCP ? s.flags : 0,
              seq: s.seq,
              ipBytes: s.bytes,
            },
          ];
        });
        const { records, stats } = run(packets, { maxFlows: 5 });
        const sum = (f: (r: FlowRecord) => number) => records.reduce((acc, r) => acc + f(r), 0);
        expect(sum((r) => r.packets)).toBe(specs.length);
        expect(sum((r) => r.bytes)).toBe(specs.reduce((acc, s) => acc + s.bytes, 0));
        expect(sum((r) => r.fwdPackets + r.revPackets)).toBe(specs.length);
        expect(stats.activeFlows).toBe(0);
        for (const r of records) expect(r.lastTs).toBeGreaterThanOrEqual(r.firstTs);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Community ID of the records', () => {
  // The WebAssembly core hashes the key itself (wasm/flow-core.ts): it must agree with
  // model/community-id.ts, which the oracle tests check against tshark.
  it('equals model communityId for any key (property)', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
    const flow = fc.record({
      v6: fc.boolean(),
      proto: fc.constantFrom(IP_PROTO.TCP, IP_PROTO.UDP, 132, 47, 'icmp' as const),
      src: bytes(16),
      dst: bytes(16),
      sport: fc.integer({ min: 0, max: 65535 }),
      dport: fc.integer({ min: 0, max: 65535 }),
      icmpType: fc.integer({ min: 0, max: 255 }),
      icmpCode: fc.integer({ min: 0, max: 255 }),
      vlan: fc.integer({ min: 0, max: 4095 }),
    });
    const text = (b: Uint8Array, v6: boolean) =>
      v6
        ? Array.from({ length: 8 }, (_, i) => ((b[i * 2] << 8) | b[i * 2 + 1]).toString(16)).join(':')
        : Array.from(b.subarray(0, 4)).join('.');
    fc.assert(
      fc.property(flow, (f) => {
        const icmp = f.proto === 'icmp';
        const proto = f.proto === 'icmp' ? (f.v6 ? IP_PROTO.ICMPV6 : IP_PROTO.ICMP) : f.proto;
        const hasPorts = proto !== 47;
        const { records } = run([
          [
            1,
            {
              src: text(f.src, f.v6),
              dst: text(f.dst, f.v6),
              proto,
              sport: icmp ? f.icmpType : hasPorts ? f.sport : 0,
              dport: icmp ? f.icmpCode : hasPorts ? f.dport : 0,
              vlan: f.vlan,
            },
          ],
        ]);
        expect(records).toHaveLength(1);
        const r = records[0];
        const length = f.v6 ? 16 : 4;
        const counterpart = (f.v6 ? ICMP_V6_COUNTERPART : ICMP_V4_COUNTERPART)[f.icmpType];
        const oneWay = icmp && counterpart < 0;
        expect(r.communityId).toBe(
          communityId(
            proto,
            f.src.subarray(0, length),
            f.dst.subarray(0, length),
            r.srcPort,
            r.dstPort,
            oneWay,
          ),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('busiest active flows', () => {
  it('ranks active flows by bytes per second and leaves the table as it was', () => {
    const records: FlowRecord[] = [];
    const table = createFlowTable(DEFAULT_FLOW_TABLE_CONFIG, (r) => records.push(r));
    const udp = (dport: number, ipBytes: number): PacketSpec => ({
      src: C,
      dst: S,
      proto: IP_PROTO.UDP,
      sport: 5000,
      dport,
      ipBytes,
    });
    // Flow A: 3000 bytes over 10 s; flow B: 1000 bytes over 1 s; flow C: 100 bytes.
    table.addPacket(packetOf(udp(1, 1000)), 100, 1014);
    table.addPacket(packetOf(udp(1, 2000)), 105, 2014);
    table.addPacket(packetOf(udp(2, 1000)), 109, 1014);
    table.addPacket(packetOf(udp(3, 100)), 109.5, 114);
    const top = table.busiest(2, 110);
    expect(top.map((f) => [f.dstPort, f.bytesPerSecond])).toEqual([
      [2, 1000],
      [1, 300],
    ]);
    expect(top[0].packets).toBe(1);
    expect(records).toHaveLength(0);
    expect(table.stats().activeFlows).toBe(3);
    table.flush();
    expect(records.map((r) => r.bytes).sort((a, b) => a - b)).toEqual([100, 1000, 3000]);
  });
});
