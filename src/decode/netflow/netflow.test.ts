import { describe, expect, it } from 'vitest';
import { ERR } from '../../shared/index.js';
import { createFlowExportDecoder } from '../flow-export/index.js';
import { collect } from '../flow-export/testing/collect.js';
import {
  bytes,
  concat,
  ipv4,
  netflowV5,
  netflowV9,
  set,
  v9OptionsTemplateSet,
  v9TemplateSet,
} from '../flow-export/testing/export-builder.js';

describe('NetFlow v5', () => {
  it('decodes records with header sampling, interfaces and uptime-relative times', () => {
    const d = netflowV5(
      { sysUptime: 100_000, unixSecs: 1_700_000_000, sampling: 0x4000 | 10, engineType: 1, engineId: 2 },
      [
        {
          src: '10.0.0.1',
          dst: '10.0.0.2',
          srcPort: 1234,
          dstPort: 80,
          protocol: 6,
          packets: 3,
          bytes: 180,
          input: 5,
          output: 7,
          first: 90_000,
          last: 99_000,
          tcpFlags: 0x1b,
        },
      ],
    );
    const { flows, errors } = collect(createFlowExportDecoder(), [d]);
    expect(errors).toEqual([undefined]);
    expect(flows).toHaveLength(1);
    const f = flows[0];
    expect(f).toMatchObject({
      sourceKind: 'netflow',
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      srcPort: 1234,
      dstPort: 80,
      protocol: 6,
      samplingRate: 10,
      rawPackets: 3,
      rawBytes: 180,
      packets: 30,
      bytes: 1800,
      fwdPackets: 30,
      revPackets: 0,
      inputIf: 5,
      outputIf: 7,
      observationDomain: 0x102,
      tcpFlags: 0x1b,
      endReason: 'tcp-fin',
      firstTs: 1_699_999_990,
      lastTs: 1_699_999_999,
    });
    expect(f.communityId).toMatch(/^1:/);
  });

  it('maps ICMP type/code from the destination port', () => {
    const d = netflowV5({}, [{ src: '10.0.0.1', dst: '10.0.0.2', protocol: 1, dstPort: 8 << 8 }]);
    const { flows } = collect(createFlowExportDecoder(), [d]);
    expect(flows[0]).toMatchObject({ srcPort: 8, dstPort: 0 });
  });

  it('rejects a count the datagram cannot hold, and counts sequence gaps', () => {
    const decoder = createFlowExportDecoder();
    const good = netflowV5({ sequence: 0 }, [{ src: '1.1.1.1', dst: '2.2.2.2' }]);
    const cut = good.subarray(0, 50);
    const skipped = netflowV5({ sequence: 5 }, [{ src: '1.1.1.1', dst: '2.2.2.2' }]);
    const { errors } = collect(decoder, [good, cut, skipped]);
    expect(errors[1]?.code).toBe(ERR.FLOW_EXPORT_TRUNCATED);
    expect(decoder.exporterCounters('192.0.2.10')).toMatchObject({
      packets: 3,
      records: 2,
      decodeErrors: 1,
      sequenceGaps: 1,
    });
  });
});

const T256 = {
  id: 256,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 7, length: 2 },
    { id: 11, length: 2 },
    { id: 4, length: 1 },
    { id: 1, length: 4 },
    { id: 2, length: 4 },
    { id: 10, length: 2 },
    { id: 14, length: 2 },
    { id: 22, length: 4 },
    { id: 21, length: 4 },
    { id: 48, length: 1 },
  ],
};

function v9Record(src: string, dst: string, packets: number, sampler = 0): Uint8Array {
  return bytes(
    ipv4(src),
    ipv4(dst),
    [53, 2],
    [40000, 2],
    [17, 1],
    [packets * 100, 4],
    [packets, 4],
    [3, 2],
    [4, 2],
    [95_000, 4],
    [99_000, 4],
    [sampler, 1],
  );
}

describe('NetFlow v9', () => {
  it('decodes data with its template and an options sampler', () => {
    const options = v9OptionsTemplateSet([
      {
        id: 300,
        scopeCount: 1,
        fields: [
          { id: 2, length: 2 },
          { id: 48, length: 1 },
          { id: 34, length: 4 },
        ],
      },
    ]);
    const d = netflowV9({ sourceId: 7 }, [
      v9TemplateSet([T256]),
      options,
      set(300, bytes([1, 2], [3, 1], [64, 4])),
      set(256, concat([v9Record('10.1.1.1', '10.2.2.2', 2, 3), v9Record('10.1.1.3', '10.2.2.4', 1, 9)])),
    ]);
    const { flows, errors } = collect(createFlowExportDecoder(), [d]);
    expect(errors).toEqual([undefined]);
    expect(
      flows.map((f) => [
        f.srcIp,
        f.samplingRate,
        f.packets,
        f.rawPackets,
        f.observationDomain,
        f.inputIf,
        f.outputIf,
      ]),
    ).toEqual([
      ['10.1.1.1', 64, 128, 2, 7, 3, 4],
      // Sampler 9 is unknown: the domain's latest rate applies.
      ['10.1.1.3', 64, 64, 1, 7, 3, 4],
    ]);
    expect(flows[0].lastTs - flows[0].firstTs).toBe(4);
  });

  it('buffers data that comes before its template and decodes it when the template arrives', () => {
    const decoder = createFlowExportDecoder();
    const data = netflowV9({ sequence: 1 }, [set(256, v9Record('10.1.1.1', '10.2.2.2', 1))]);
    const tmpl = netflowV9({ sequence: 2 }, [v9TemplateSet([T256])]);
    const first = collect(decoder, [data]);
    expect(first.flows).toHaveLength(0);
    expect(decoder.exporterCounters('192.0.2.10')).toMatchObject({ templateMisses: 1, pendingRecords: 1 });
    const second = collect(decoder, [tmpl]);
    expect(second.flows.map((f) => f.srcIp)).toEqual(['10.1.1.1']);
    expect(decoder.exporterCounters('192.0.2.10')).toMatchObject({
      pendingRecords: 0,
      expiredPending: 0,
      records: 1,
    });
  });

  it('expires buffered data after the timeout and when the buffer is full', () => {
    const decoder = createFlowExportDecoder({ pendingTimeoutSec: 10, maxPendingSets: 2 });
    const data = (seq: number) =>
      netflowV9({ sequence: seq }, [set(256, v9Record('10.1.1.1', '10.2.2.2', 1))]);
    collect(decoder, [data(1), data(2), data(3)], 'e', 100);
    expect(decoder.exporterCounters('e')).toMatchObject({ pendingRecords: 2, expiredPending: 1 });
    decoder.expirePending(111);
    expect(decoder.exporterCounters('e')).toMatchObject({ pendingRecords: 0, expiredPending: 3 });
  });

  it('rejects zero-field and absurd templates without touching other exporters', () => {
    const decoder = createFlowExportDecoder();
    const good = netflowV9({}, [v9TemplateSet([T256])]);
    collect(decoder, [good], 'a');
    const zero = netflowV9({ sequence: 1 }, [set(0, bytes([256, 2], [0, 2]))]);
    const absurd = netflowV9({ sequence: 2 }, [set(0, bytes([256, 2], [5000, 2], [1, 2], [4, 2]))]);
    const bad = collect(decoder, [zero, absurd], 'b');
    expect(bad.errors.map((e) => e?.code)).toEqual([
      ERR.FLOW_EXPORT_BAD_TEMPLATE,
      ERR.FLOW_EXPORT_BAD_TEMPLATE,
    ]);
    const data = netflowV9({ sequence: 1 }, [set(256, v9Record('10.1.1.1', '10.2.2.2', 1))]);
    expect(collect(decoder, [data], 'a').flows).toHaveLength(1);
    expect(decoder.exporterCounters('b')).toMatchObject({ decodeErrors: 2, templates: 0 });
    expect(decoder.exporterCounters('a')).toMatchObject({ decodeErrors: 0, templates: 1 });
  });

  it('drops templates when the exporter reboots (sysUpTime goes back)', () => {
    const decoder = createFlowExportDecoder();
    collect(decoder, [netflowV9({ sysUptime: 500_000, sequence: 10 }, [v9TemplateSet([T256])])]);
    const data = netflowV9({ sysUptime: 2_000, sequence: 0 }, [
      set(256, v9Record('10.1.1.1', '10.2.2.2', 1)),
    ]);
    expect(collect(decoder, [data]).flows).toHaveLength(0);
    expect(decoder.exporterCounters('192.0.2.10')).toMatchObject({
      restarts: 1,
      templates: 0,
      templateMisses: 1,
    });
  });
});
