/**
 * Flow-export decoding against Wireshark: every `flow_*.pcap` of the corpus decodes
 * (`decodeExportCapture`, the `--from-pcap` path) to the records tshark's cflow (NetFlow v5/v9,
 * IPFIX) and sflow dissectors show, field by field: exporter, addresses, ports (TCP/UDP/SCTP),
 * protocol, raw packets and bytes, input/output interface and the sampling rate; and the sFlow
 * generic interface counters likewise.
 *
 * How tshark is run: two passes (`-2`), so data sets that come before their template in the same
 * datagram are decoded, as our pending buffer does; exporters on ports tshark does not know are
 * dissected with `-d udp.port==N,cflow` (the port of every datagram tshark left as "data").
 *
 * Tolerances (see docs/collector.md, "Differences from tshark"): ICMP ports are compared through
 * our type/code mapping, not as exported; the expected sampling rate of a NetFlow v9/IPFIX
 * record is the one rate its exporter's options records state in the file (the corpus files have
 * one sampler each); an sFlow sample's raw bytes are the sampled IP header's length (IPv4 total
 * length, IPv6 payload length + 40), as tshark dissects the header.
 */
import { describe, expect, it } from 'vitest';
import type { ExportedFlowRecord, InterfaceCounterRecord } from '../src/model/index.js';
import { decodeExportCapture } from '../src/pipeline/index.js';
import { corpusAvailable, corpusFiles, corpusPath } from './support/corpus.js';
import { run, toolsAvailable } from './support/run.js';

type Json = { [key: string]: Json } | Json[] | string;
type Obj = { [key: string]: Json };

const FILES = corpusFiles((name) => name.startsWith('flow_'));
const ready = corpusAvailable && FILES.length > 0 && toolsAvailable(['tshark']);

const PORTED = new Set([6, 17, 132]);

interface Row {
  exporter: string;
  src: string;
  dst: string;
  protocol: number;
  ports: string;
  packets: number;
  bytes: number;
  inputIf: number;
  outputIf: number;
  rate: number;
}

const rowKey = (r: Row) => JSON.stringify(r);

function ourRow(f: ExportedFlowRecord): Row {
  return {
    exporter: f.exporter,
    src: f.srcIp,
    dst: f.dstIp,
    protocol: f.protocol,
    ports: PORTED.has(f.protocol) ? `${f.srcPort}>${f.dstPort}` : '',
    packets: f.rawPackets,
    bytes: f.rawBytes,
    inputIf: f.inputIf,
    outputIf: f.outputIf,
    rate: f.samplingRate,
  };
}

const asArray = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const isObj = (v: Json | undefined): v is Obj =>
  v !== undefined && typeof v === 'object' && !Array.isArray(v);
const str = (o: Obj, key: string): string | undefined => {
  const v = asArray(o[key])[0];
  return typeof v === 'string' ? v : undefined;
};
const num = (o: Obj, key: string): number => Number(str(o, key) ?? '0');

/** Every object under `v` (itself included) that `match` accepts, in document order. */
function findAll(v: Json | undefined, match: (o: Obj, key: string) => boolean, key = ''): Obj[] {
  const found: Obj[] = [];
  for (const item of asArray(v)) {
    if (!isObj(item)) continue;
    if (match(item, key)) found.push(item);
    for (const [k, child] of Object.entries(item)) found.push(...findAll(child, match, k));
  }
  return found;
}

/** 1-in-N rate an options record states (RFC 5477 n-out-of-N first), 0 when none. */
function optionsRate(o: Obj): number {
  const size = num(o, 'cflow.sampling_size');
  const population = num(o, 'cflow.sampling_population');
  if (size > 0 && population > 0) return population / size;
  return num(o, 'cflow.sampling_interval') || num(o, 'cflow.sampler_random_interval');
}

function sflowHeaderRow(exporter: string, sample: Obj, header: Obj): Row | undefined {
  const tree = asArray(header['sflow_245.header_tree']).find(isObj);
  if (tree === undefined) return undefined;
  const ip = asArray(tree.ip).find(isObj);
  const ip6 = asArray(tree.ipv6).find(isObj);
  if (ip === undefined && ip6 === undefined) return undefined;
  const protocol = ip ? num(ip, 'ip.proto') : num(ip6 as Obj, 'ipv6.nxt');
  const l4 = asArray(tree.tcp ?? tree.udp).find(isObj);
  const prefix = tree.tcp ? 'tcp' : 'udp';
  const output = Number(str(sample, 'sflow.flow_sample.output_interface') ?? '0');
  return {
    exporter,
    src: ip ? (str(ip, 'ip.src') as string) : (str(ip6 as Obj, 'ipv6.src') as string),
    dst: ip ? (str(ip, 'ip.dst') as string) : (str(ip6 as Obj, 'ipv6.dst') as string),
    protocol,
    ports:
      PORTED.has(protocol) && l4 ? `${num(l4, `${prefix}.srcport`)}>${num(l4, `${prefix}.dstport`)}` : '',
    packets: 1,
    bytes: ip ? num(ip, 'ip.len') : num(ip6 as Obj, 'ipv6.plen') + 40,
    inputIf: num(sample, 'sflow.flow_sample.input_interface'),
    outputIf: output >>> 30 === 0 ? output : 0,
    rate: num(sample, 'sflow.flow_sample.sampling_rate'),
  };
}

interface Expected {
  rows: Row[];
  counters: string[];
}

async function tsharkExpected(file: string): Promise<Expected> {
  const probe = await run('tshark', [
    '-r',
    file,
    '-T',
    'fields',
    '-e',
    'frame.protocols',
    '-e',
    'udp.srcport',
    '-e',
    'udp.dstport',
  ]);
  const ports = new Set<string>();
  for (const line of probe.stdout.split('\n')) {
    const [protocols, src, dst] = line.split('\t');
    if (protocols?.endsWith(':udp:data')) ports.add(dst === '6343' ? src : dst);
  }
  const args = ['-2', '-r', file, '-T', 'json', '--no-duplicate-keys'];
  for (const port of ports) args.push('-d', `udp.port==${port},cflow`);
  const result = await run('tshark', args);
  expect(result.code).toBe(0);
  const packets = JSON.parse(result.stdout) as { _source: { layers: Obj } }[];
  const rows: Row[] = [];
  const counters: string[] = [];
  const rates = new Map<string, number>();
  const pending: { row: Row; fromHeader: number }[] = [];
  for (const packet of packets) {
    const layers = packet._source.layers;
    const outer = asArray(layers.ip ?? layers.ipv6).find(isObj) as Obj;
    const exporter = (str(outer, 'ip.src') ?? str(outer, 'ipv6.src')) as string;
    for (const cflow of asArray(layers.cflow).filter(isObj)) {
      const headerRate = num(cflow, 'cflow.samplerate');
      for (const o of findAll(cflow, () => true)) {
        const rate = optionsRate(o);
        if (rate > 0 && str(o, 'cflow.srcaddr') === undefined && str(o, 'cflow.srcaddrv6') === undefined) {
          rates.set(exporter, rate);
        }
        const src = str(o, 'cflow.srcaddr') ?? str(o, 'cflow.srcaddrv6');
        const dst = str(o, 'cflow.dstaddr') ?? str(o, 'cflow.dstaddrv6');
        if (src === undefined || dst === undefined || str(o, 'cflow.packets') === undefined) continue;
        const protocol = num(o, 'cflow.protocol');
        pending.push({
          fromHeader: headerRate,
          row: {
            exporter,
            src,
            dst,
            protocol,
            ports: PORTED.has(protocol) ? `${num(o, 'cflow.srcport')}>${num(o, 'cflow.dstport')}` : '',
            packets: num(o, 'cflow.packets'),
            bytes: num(o, 'cflow.octets'),
            inputIf: num(o, 'cflow.inputint'),
            outputIf: num(o, 'cflow.outputint'),
            rate: 0,
          },
        });
      }
    }
    for (const sflow of asArray(layers.sflow).filter(isObj)) {
      const samples = findAll(sflow, (_, key) => /^(Expanded f|F)low sample/.test(key));
      for (const sample of samples) {
        for (const header of findAll(sample, (_, key) => key === 'Raw packet header')) {
          const row = sflowHeaderRow(exporter, sample, header);
          if (row) rows.push(row);
        }
      }
      for (const c of findAll(sflow, (_, key) => key === 'Generic interface counters')) {
        counters.push(
          [
            exporter,
            ...['ifindex', 'ifinoct', 'ifinpkt', 'ifoutoct', 'ifoutpkt', 'ifspeed'].map((k) =>
              num(c, `sflow_245.${k}`),
            ),
          ].join(' '),
        );
      }
    }
  }
  for (const { row, fromHeader } of pending) {
    row.rate = rates.get(row.exporter) ?? (fromHeader > 1 ? fromHeader : 1);
    rows.push(row);
  }
  return { rows, counters };
}

describe.skipIf(!ready)('flow exports against tshark (cflow, sflow)', () => {
  for (const name of FILES) {
    it(name, async () => {
      const file = corpusPath(name);
      const expected = await tsharkExpected(file);
      const flows: ExportedFlowRecord[] = [];
      const counters: InterfaceCounterRecord[] = [];
      const result = await decodeExportCapture({
        file,
        sink: { onFlow: (f) => flows.push(f), onCounters: (c) => counters.push(c) },
      });
      const ours = flows.map(ourRow).map(rowKey).sort();
      if (name !== 'flow_netflow_v9_data_only.pcap')
        expect(expected.rows.length + expected.counters.length).toBeGreaterThan(0);
      expect(ours).toEqual(expected.rows.map(rowKey).sort());
      const ourCounters = counters
        .map((c) =>
          [
            c.exporter,
            c.ifIndex,
            c.ifInOctets,
            c.ifInUcastPkts,
            c.ifOutOctets,
            c.ifOutUcastPkts,
            c.ifSpeed,
          ].join(' '),
        )
        .sort();
      expect(ourCounters).toEqual(expected.counters.sort());
      // Counters next to outputs: every record counted, nothing left waiting after the flush.
      const total = result.counters.reduce((n, c) => n + c.records, 0);
      expect(total).toBe(flows.length);
      expect(result.counters.reduce((n, c) => n + c.counterRecords, 0)).toBe(counters.length);
      for (const c of result.counters) expect(c.pendingRecords).toBe(0);
    });
  }

  it('counts the data it could never decode (flow_netflow_v9_data_only.pcap has no templates)', async () => {
    const name = 'flow_netflow_v9_data_only.pcap';
    if (!FILES.includes(name)) return;
    const result = await decodeExportCapture({ file: corpusPath(name), sink: { onFlow() {} } });
    expect(result.datagrams).toBe(10);
    const [c] = result.counters;
    expect(c.records).toBe(0);
    expect(c.templateMisses).toBeGreaterThan(0);
    expect(c.expiredPending).toBe(c.templateMisses);
  });
});
