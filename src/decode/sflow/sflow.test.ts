import { describe, expect, it } from 'vitest';
import { createFlowExportDecoder } from '../flow-export/index.js';
import { collect } from '../flow-export/testing/collect.js';
import {
  bytes,
  ipv4,
  ipv4Packet,
  ipv6,
  sflowCounterSample,
  sflowFlowSample,
  sflowGenericCounters,
  sflowItem,
  sflowRawHeader,
  sflowV5,
} from '../flow-export/testing/export-builder.js';

describe('sFlow v5', () => {
  it('decodes flow samples, expanded samples and generic interface counters', () => {
    const tcp = ipv4Packet('10.0.0.1', '10.0.0.2', 6, 40000, 443, 1500);
    const udp = ipv4Packet('10.0.0.3', '10.0.0.4', 17, 53, 5353, 100);
    const d = sflowV5({ agent: ipv6('2001:db8:0:0:0:0:0:9'), subAgent: 3 }, [
      sflowFlowSample({ rate: 512, input: 4, output: 6, records: [sflowRawHeader(11, 1500, tcp)] }),
      sflowFlowSample({
        rate: 1000,
        input: 70000,
        output: 8,
        expanded: true,
        records: [sflowRawHeader(11, 100, udp)],
      }),
      sflowCounterSample([sflowGenericCounters({ ifIndex: 4, inOctets: 2 ** 40, outUcast: 77 })]),
      // Enterprise-specific sample: skipped.
      sflowItem(1, bytes([1, 4]), 4413),
    ]);
    const { flows, counters, errors } = collect(
      createFlowExportDecoder(),
      [d],
      '198.51.100.1',
      1_700_000_123.5,
    );
    expect(errors).toEqual([undefined]);
    expect(
      flows.map((f) => [
        f.srcIp,
        f.dstPort,
        f.protocol,
        f.packets,
        f.bytes,
        f.rawBytes,
        f.inputIf,
        f.outputIf,
        f.samplingRate,
      ]),
    ).toEqual([
      ['10.0.0.1', 443, 6, 512, 1500 * 512, 1500, 4, 6, 512],
      ['10.0.0.3', 5353, 17, 1000, 100_000, 100, 70000, 8, 1000],
    ]);
    expect(flows[0]).toMatchObject({
      sourceKind: 'sflow',
      exporter: '198.51.100.1',
      agent: '2001:db8::9',
      observationDomain: 3,
      firstTs: 1_700_000_123.5,
      tcpFlags: 0x02,
      state: 'S0',
    });
    expect(counters).toEqual([
      expect.objectContaining({
        agent: '2001:db8::9',
        subAgentId: 3,
        ifIndex: 4,
        ifInOctets: 2 ** 40,
        ifOutUcastPkts: 77,
      }),
    ]);
  });

  it('decodes Ethernet raw headers with VLAN tags through the engine decoder', () => {
    const ip = ipv4Packet('10.9.0.1', '10.9.0.2', 17, 1000, 2000, 80);
    const eth = bytes([0x0200_0000_0001, 6], [0x0200_0000_0002, 6], [0x8100, 2], [42, 2], [0x0800, 2], ip);
    const d = sflowV5({}, [sflowFlowSample({ rate: 1, records: [sflowRawHeader(1, 98, eth)] })]);
    const { flows } = collect(createFlowExportDecoder(), [d]);
    expect(flows[0]).toMatchObject({ srcIp: '10.9.0.1', vlan: 42, bytes: 80, frameBytes: 98 });
  });

  it('rejects sample lengths past the datagram', () => {
    const d = sflowV5({ agent: ipv4('192.0.2.5') }, [sflowCounterSample([])]);
    const cut = d.subarray(0, d.length - 4);
    const decoder = createFlowExportDecoder();
    const { errors } = collect(decoder, [cut]);
    expect(errors[0]?.code).toBe('FLOWLENS_ERR_FLOW_EXPORT_BAD_LENGTH');
    expect(decoder.exporterCounters('192.0.2.10')?.decodeErrors).toBe(1);
  });
});
