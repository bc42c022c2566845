/** The timing analyzer on hand-built captures: gaps, RTP and inter-arrival IPDV, bursts. */
import { describe, expect, it } from 'vitest';
import { concat, ETHERTYPE, ethernet, ipv4, PROTO, udp } from '../../../test/support/packet-builder.js';
import type { TimingSummary } from '../../model/index.js';
import { runFrames } from '../dns/testing/dns-builder.js';
import { createTimingAnalyzer } from './timing-analyzer.js';

const T0 = 1_700_000_000;

function rtp(seq: number, timestamp: number): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  header[0] = 0x80;
  header[1] = 0; // PCMU, 8 kHz
  view.setUint16(2, seq);
  view.setUint32(4, timestamp);
  view.setUint32(8, 0xabcdef01);
  return concat(header, new Uint8Array(160));
}

function media(t: number, payload: Uint8Array) {
  const body = udp({ srcPort: 20000, dstPort: 30000, payload });
  return {
    t,
    bytes: ethernet({
      etherType: ETHERTYPE.IPV4,
      payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: PROTO.UDP, payload: body }),
    }),
  };
}

describe('timing analyzer', () => {
  it('measures RFC 3393 IPDV from RTP timestamps on a media flow', async () => {
    // 100 packets every 20 ms; every 10th arrives 5 ms late (IPDV +5 ms then −5 ms).
    const frames = Array.from({ length: 100 }, (_, i) =>
      media(T0 + i * 0.02 + (i % 10 === 5 ? 0.005 : 0), rtp(i, i * 160)),
    );
    const { flows, analysis } = await runFrames(frames, [createTimingAnalyzer()]);
    const fwd = flows[0]!.jitter?.fwd;
    expect(fwd).toMatchObject({ packets: 100, samples: 99, method: 'rtp' });
    expect(fwd!.ipdvMaxMs).toBeCloseTo(5, 3);
    // 10 late packets → 20 samples of 5 ms out of 99.
    expect(fwd!.ipdvMeanMs).toBeCloseTo((20 * 5) / 99, 2);
    const timing = analysis.timing as TimingSummary;
    expect(timing.jitter).toMatchObject({ directions: 1 });
    expect(timing.jitter.maxMs).toBeCloseTo(5, 3);
    expect(timing.jitter.worst[0]).toMatchObject({
      src: '10.0.0.1',
      srcPort: 20000,
      dst: '10.0.0.2',
      dstPort: 30000,
    });
  });

  it('falls back to inter-arrival IPDV without RTP, and leaves sparse flows alone', async () => {
    const steady = Array.from({ length: 60 }, (_, i) =>
      media(T0 + i * 0.01 + (i === 30 ? 0.002 : 0), new Uint8Array(50)),
    );
    const { flows } = await runFrames(steady, [createTimingAnalyzer()]);
    expect(flows[0]!.jitter?.fwd).toMatchObject({ method: 'interarrival', samples: 58 });
    expect(flows[0]!.jitter!.fwd!.ipdvMaxMs).toBeCloseTo(4, 3);
    const sparse = Array.from({ length: 60 }, (_, i) => media(T0 + i, new Uint8Array(50)));
    const result = await runFrames(sparse, [createTimingAnalyzer()]);
    expect(result.flows[0]!.jitter).toBeUndefined();
  });

  it('lists capture gaps and the busiest windows', async () => {
    const frames = [
      ...Array.from({ length: 5 }, (_, i) => media(T0 + i * 0.01, new Uint8Array(10))),
      media(T0 + 3, new Uint8Array(10)),
      media(T0 + 3.5, new Uint8Array(10)),
    ];
    const { analysis } = await runFrames(frames, [createTimingAnalyzer()]);
    const timing = analysis.timing as TimingSummary;
    expect(timing.frames).toBe(7);
    expect(timing.gaps.count).toBe(1);
    expect(timing.gaps.list[0]!.seconds).toBeCloseTo(2.96, 6);
    expect(timing.bursts).toMatchObject({ activeWindows: 3, maxPackets: 5 });
    expect(timing.bursts.top[0]).toMatchObject({ packets: 5, ts: T0 });
  });
});
