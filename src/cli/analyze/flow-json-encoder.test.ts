import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../model/index.js';
import { flowJson } from './flow-json-encoder.js';

const timestamp = fc.integer({ min: 0, max: 4_000_000_000_000_000 }).map((us) => us / 1e6);
const count = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.maxSafeNat());
// What the flow table puts in string fields: IP text forms, base64, fixed words.
const text = fc.oneof(fc.ipV4(), fc.ipV6(), fc.base64String(), fc.constantFrom('gre', 'vxlan', 'SF'));

/** Any UTF-16 code units: control characters, quotes, backslashes, lone surrogates. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });

/** A direction of the TCP diagnostics, keys in the order the TCP analyzer sets them. */
const direction = fc.record(
  {
    payloadBytes: count,
    throughput: fc.double(),
    retransmissions: count,
    rtoRetransmissions: count,
    fastRetransmissions: count,
    spuriousRetransmissions: count,
    retransmittedBytes: count,
    outOfOrder: count,
    duplicateAcks: count,
    lostSegments: count,
    ackedUnseen: count,
    keepAlives: count,
    zeroWindows: count,
    zeroWindowSeconds: fc.double(),
    zeroWindowProbes: count,
    lowWindows: count,
    lowWindowSeconds: fc.double(),
    windowFull: count,
    resets: count,
  },
  { requiredKeys: ['payloadBytes'] },
);

/** The TCP diagnostics, keys in the order the TCP analyzer sets them. */
const tcp = fc.record(
  {
    stream: count,
    fwd: direction,
    rev: direction,
    handshake: fc.record(
      {
        state: fc.constantFrom('complete' as const, 'reset' as const, 'unanswered' as const),
        synRetransmissions: count,
        synToSynAck: fc.double(),
        synAckToAck: fc.double(),
        total: fc.double(),
      },
      { requiredKeys: ['state', 'synRetransmissions'] },
    ),
    initialRtt: fc.double(),
    rtt: fc.record({ samples: count, min: fc.double(), mean: fc.double(), max: fc.double() }),
    resetBy: fc.constantFrom('originator' as const, 'responder' as const),
  },
  { requiredKeys: ['stream', 'fwd', 'rev'] },
);

const record: fc.Arbitrary<FlowRecord> = fc
  .record({
    communityId: text,
    protocol: fc.integer({ min: 0, max: 255 }),
    ipVersion: fc.constantFrom(4 as const, 6 as const),
    srcIp: text,
    srcPort: fc.integer({ min: 0, max: 65535 }),
    dstIp: text,
    dstPort: fc.integer({ min: 0, max: 65535 }),
    vlan: fc.integer({ min: 0, max: 4095 }),
    firstTs: timestamp,
    lastTs: timestamp,
    packets: count,
    bytes: count,
    frameBytes: count,
    fwdPackets: count,
    fwdBytes: count,
    revPackets: count,
    revBytes: count,
    tcpFlags: fc.integer({ min: 0, max: 255 }),
    fwdTcpFlags: fc.integer({ min: 0, max: 255 }),
    revTcpFlags: fc.integer({ min: 0, max: 255 }),
    state: fc.constantFrom('S0', 'SF', 'OTH') as fc.Arbitrary<FlowRecord['state']>,
    endReason: fc.constantFrom('idle-timeout', 'end-of-input') as fc.Arbitrary<FlowRecord['endReason']>,
    fragments: count,
  })
  .chain((r) =>
    fc
      .option(
        fc.record(
          { type: text, outerSrcIp: text, outerDstIp: text, id: fc.integer({ min: 1, max: 2 ** 32 - 1 }) },
          { requiredKeys: ['type', 'outerSrcIp', 'outerDstIp'] },
        ),
        { nil: undefined },
      )
      .map((tunnel) => (tunnel ? { ...r, tunnel } : r)),
  )
  .chain((r) =>
    // Text from the wire: anything, quotes and control characters included.
    fc
      .record(
        {
          application: fc.string(),
          sni: fc.string(),
          httpHost: fc.string(),
          tcp,
          dns: fc.record({
            queries: count,
            responses: count,
            answered: count,
            unanswered: count,
            errors: fc.constant({ NXDOMAIN: 2 }),
          }),
          dnsName: fc.string(),
          jitter: fc.record(
            {
              fwd: fc.record({
                packets: count,
                samples: count,
                ipdvMeanMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
                ipdvMaxMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
                method: fc.constantFrom('rtp' as const, 'interarrival' as const),
              }),
            },
            { requiredKeys: [] },
          ),
          // Enrichment, after the analyzers: names from a database may hold any UTF-16 code unit.
          srcCountry: codeUnits,
          dstCountry: codeUnits,
          srcAsn: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          dstAsn: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          srcAsName: codeUnits,
          dstAsName: codeUnits,
        },
        { requiredKeys: [] },
      )
      .map((metadata) => ({ ...r, ...metadata })),
  );

describe('flowJson', () => {
  it('writes exactly what JSON.stringify writes', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(flowJson(r)).toBe(JSON.stringify(r));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes a record without a tunnel as JSON.stringify does', () => {
    expect(flowJson(sample())).toBe(JSON.stringify(sample()));
  });
});

function sample(): FlowRecord {
  return {
    communityId: '',
    protocol: 17,
    ipVersion: 4,
    srcIp: '10.0.0.1',
    srcPort: 1,
    dstIp: '10.0.0.2',
    dstPort: 2,
    vlan: 0,
    firstTs: 0,
    lastTs: 0,
    packets: 1,
    bytes: 1,
    frameBytes: 1,
    fwdPackets: 1,
    fwdBytes: 1,
    revPackets: 0,
    revBytes: 0,
    tcpFlags: 0,
    fwdTcpFlags: 0,
    revTcpFlags: 0,
    state: 'S0',
    endReason: 'end-of-input',
    fragments: 0,
  };
}
