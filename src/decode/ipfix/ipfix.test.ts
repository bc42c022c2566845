import { describe, expect, it } from 'vitest';
import { ERR } from '../../shared/index.js';
import { createFlowExportDecoder } from '../flow-export/index.js';
import { collect } from '../flow-export/testing/collect.js';
import {
  bytes,
  concat,
  ipfix,
  ipfixOptionsTemplateSet,
  ipfixTemplateSet,
  ipfixWithdrawalSet,
  ipv4,
  ipv6,
  set,
  varField,
} from '../flow-export/testing/export-builder.js';

const BIFLOW = {
  id: 400,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 7, length: 2 },
    { id: 11, length: 2 },
    { id: 4, length: 1 },
    { id: 1, length: 8 },
    { id: 2, length: 8 },
    { id: 1, length: 8, pen: 29305 },
    { id: 2, length: 8, pen: 29305 },
    { id: 6, length: 1 },
    { id: 6, length: 1, pen: 29305 },
    { id: 152, length: 8 },
    { id: 153, length: 8 },
    // Unknown enterprise element and a variable-length string: both skipped.
    { id: 77, length: 4, pen: 9 },
    { id: 82, length: 0xffff },
    { id: 136, length: 1 },
  ],
};

function biflowRecord(name: Uint8Array): Uint8Array {
  return bytes(
    ipv4('192.168.1.10'),
    ipv4('192.168.1.20'),
    [50000, 2],
    [443, 2],
    [6, 1],
    [5000, 8],
    [10, 8],
    [20000, 8],
    [12, 8],
    [0x02 | 0x10 | 0x01, 1],
    [0x12 | 0x01, 1],
    [1_700_000_000_000, 8],
    [1_700_000_002_500, 8],
    [0xdeadbeef, 4],
    varField(name),
    [3, 1],
  );
}

describe('IPFIX', () => {
  it('decodes RFC 5103 biflows, skipping unknown enterprise and variable-length fields', () => {
    const d = ipfix({ domain: 42 }, [
      ipfixTemplateSet([BIFLOW]),
      set(
        400,
        concat([biflowRecord(new TextEncoder().encode('eth0')), biflowRecord(new Uint8Array(300))]),
        false,
      ),
    ]);
    const { flows, errors } = collect(createFlowExportDecoder(), [d]);
    expect(errors).toEqual([undefined]);
    expect(flows).toHaveLength(2);
    expect(flows[0]).toMatchObject({
      sourceKind: 'ipfix',
      observationDomain: 42,
      srcIp: '192.168.1.10',
      dstPort: 443,
      fwdPackets: 10,
      fwdBytes: 5000,
      revPackets: 12,
      revBytes: 20000,
      packets: 22,
      bytes: 25000,
      rawPackets: 22,
      fwdTcpFlags: 0x13,
      revTcpFlags: 0x13,
      state: 'SF',
      endReason: 'tcp-fin',
      firstTs: 1_700_000_000,
      lastTs: 1_700_000_002.5,
    });
    expect(flows[1].bytes).toBe(25000);
  });

  it('applies an options-template sampling rate through selectorId (n-out-of-N)', () => {
    const opts = {
      id: 500,
      scopeCount: 1,
      fields: [
        { id: 302, length: 4 },
        { id: 309, length: 4 },
        { id: 310, length: 4 },
      ],
    };
    const data = {
      id: 501,
      fields: [
        { id: 27, length: 16 },
        { id: 28, length: 16 },
        { id: 4, length: 1 },
        { id: 2, length: 4 },
        { id: 1, length: 4 },
        { id: 302, length: 4 },
      ],
    };
    const d = ipfix({}, [
      ipfixOptionsTemplateSet([opts]),
      ipfixTemplateSet([data]),
      set(500, bytes([1, 4], [1, 4], [256, 4]), false),
      set(
        501,
        bytes(ipv6('2001:db8:0:0:0:0:0:1'), ipv6('2001:db8:0:0:0:0:0:2'), [58, 1], [2, 4], [144, 4], [1, 4]),
        false,
      ),
    ]);
    const { flows } = collect(createFlowExportDecoder(), [d]);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({
      srcIp: '2001:db8::1',
      ipVersion: 6,
      samplingRate: 256,
      packets: 512,
      bytes: 36864,
      rawBytes: 144,
    });
  });

  it('withdraws templates and refreshes them', () => {
    const t = {
      id: 300,
      fields: [
        { id: 8, length: 4 },
        { id: 12, length: 4 },
        { id: 2, length: 4 },
      ],
    };
    const rec = set(300, bytes(ipv4('1.1.1.1'), ipv4('2.2.2.2'), [1, 4]), false);
    const decoder = createFlowExportDecoder();
    const a = collect(decoder, [
      ipfix({ sequence: 0 }, [ipfixTemplateSet([t]), rec]),
      ipfix({ sequence: 1 }, [ipfixWithdrawalSet(300), rec]),
      ipfix({ sequence: 1 }, [ipfixTemplateSet([t]), rec]),
    ]);
    expect(a.flows).toHaveLength(3);
    // The withdrawn template's data waited in the buffer and was decoded after the refresh.
    expect(decoder.exporterCounters('192.0.2.10')).toMatchObject({
      templateMisses: 1,
      templates: 1,
      pendingRecords: 0,
    });
  });

  it('counts sequence gaps by data records', () => {
    const t = {
      id: 300,
      fields: [
        { id: 8, length: 4 },
        { id: 12, length: 4 },
      ],
    };
    const rec = bytes(ipv4('1.1.1.1'), ipv4('2.2.2.2'));
    const decoder = createFlowExportDecoder();
    collect(decoder, [
      ipfix({ sequence: 0 }, [ipfixTemplateSet([t]), set(300, concat([rec, rec]), false)]),
      ipfix({ sequence: 2 }, [set(300, rec, false)]),
      ipfix({ sequence: 9 }, [set(300, rec, false)]),
    ]);
    expect(decoder.exporterCounters('192.0.2.10')).toMatchObject({ records: 4, sequenceGaps: 1 });
  });

  it('rejects bad message and set lengths and bad options scope counts', () => {
    const decoder = createFlowExportDecoder();
    const good = ipfix({}, [ipfixTemplateSet([{ id: 300, fields: [{ id: 8, length: 4 }] }])]);
    const longer = Uint8Array.from(good);
    longer[3] += 10;
    const badSet = ipfix({}, [bytes([300, 2], [2, 2])]);
    const badScope = ipfix({}, [
      ipfixOptionsTemplateSet([{ id: 301, scopeCount: 3, fields: [{ id: 302, length: 4 }] }]),
    ]);
    const { errors } = collect(decoder, [longer, badSet, badScope]);
    expect(errors.map((e) => e?.code)).toEqual([
      ERR.FLOW_EXPORT_BAD_LENGTH,
      ERR.FLOW_EXPORT_BAD_LENGTH,
      ERR.FLOW_EXPORT_BAD_TEMPLATE,
    ]);
  });
});
