import { describe, expect, it } from 'vitest';
import { declareAnalyzerFields, type FlowRecord } from './flow.js';

function udpRecord(): FlowRecord {
  return {
    communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    protocol: 17,
    ipVersion: 4,
    srcIp: '192.0.2.1',
    srcPort: 5353,
    dstIp: '198.51.100.7',
    dstPort: 53,
    vlan: 0,
    firstTs: 1_700_000_000.5,
    lastTs: 1_700_000_001.25,
    packets: 2,
    bytes: 150,
    frameBytes: 178,
    fwdPackets: 1,
    fwdBytes: 60,
    revPackets: 1,
    revBytes: 90,
    tcpFlags: 0,
    fwdTcpFlags: 0,
    revTcpFlags: 0,
    state: 'SF',
    endReason: 'idle-timeout',
    fragments: 0,
  };
}

const ANALYZER_FIELDS = ['application', 'app', 'sni', 'httpHost', 'tcp', 'dns', 'dnsName', 'jitter'];

describe('declareAnalyzerFields', () => {
  it('adds every analyzer field, undefined, after the table fields, and JSON does not change', () => {
    const record = udpRecord();
    const before = JSON.stringify(record);
    const tableKeys = Object.keys(record);
    declareAnalyzerFields(record);
    expect(Object.keys(record)).toEqual([...tableKeys, ...ANALYZER_FIELDS]);
    for (const field of ANALYZER_FIELDS) expect(record[field as keyof FlowRecord]).toBeUndefined();
    expect(JSON.stringify(record)).toBe(before);
  });

  it('keeps values already set', () => {
    const record = udpRecord();
    record.application = 'dns';
    record.dnsName = 'example.org';
    declareAnalyzerFields(record);
    expect(record.application).toBe('dns');
    expect(record.dnsName).toBe('example.org');
  });

  it('fixes the key order whatever order the analyzers set the fields in', () => {
    const late = udpRecord();
    declareAnalyzerFields(late);
    late.dnsName = 'example.org';
    late.sni = 'example.net';
    late.application = 'dns';
    const inOrder = udpRecord();
    inOrder.application = 'dns';
    inOrder.sni = 'example.net';
    inOrder.dnsName = 'example.org';
    expect(JSON.stringify(late)).toBe(JSON.stringify(inOrder));
  });
});
