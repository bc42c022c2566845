/**
 * Hand-built flow-export datagrams for unit tests, property tests and benchmarks: a tiny
 * big-endian writer plus NetFlow v5/v9, IPFIX and sFlow v5 assemblers. Test-only (excluded from
 * the build); it writes what the specs say, never what our decoders expect.
 */

/** A field value and its width in bytes; a Uint8Array is written as it is. */
export type Field = [value: number | bigint, width: number] | Uint8Array;

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Big-endian bytes of the fields, in order. */
export function bytes(...fields: Field[]): Uint8Array {
  return concat(
    fields.map((f) => {
      if (f instanceof Uint8Array) return f;
      const [value, width] = f;
      const out = new Uint8Array(width);
      let v = BigInt(value);
      for (let i = width - 1; i >= 0; i--) {
        out[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      return out;
    }),
  );
}

export function ipv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** Full (uncompressed) IPv6 text, e.g. '2001:db8:0:0:0:0:0:1'. */
export function ipv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  text.split(':').forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

function pad4(b: Uint8Array): Uint8Array {
  return b.length % 4 === 0 ? b : concat([b, new Uint8Array(4 - (b.length % 4))]);
}

// NetFlow v5 (Cisco export format v5).

export interface V5Record {
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  protocol?: number;
  packets?: number;
  bytes?: number;
  input?: number;
  output?: number;
  first?: number;
  last?: number;
  tcpFlags?: number;
}

export interface V5Header {
  sysUptime?: number;
  unixSecs?: number;
  sequence?: number;
  engineType?: number;
  engineId?: number;
  /** Raw 16-bit sampling field (mode in the top 2 bits). */
  sampling?: number;
}

export function netflowV5(header: V5Header, records: V5Record[]): Uint8Array {
  const head = bytes(
    [5, 2],
    [records.length, 2],
    [header.sysUptime ?? 100_000, 4],
    [header.unixSecs ?? 1_700_000_000, 4],
    [0, 4],
    [header.sequence ?? 0, 4],
    [header.engineType ?? 0, 1],
    [header.engineId ?? 0, 1],
    [header.sampling ?? 0, 2],
  );
  const body = records.map((r) =>
    bytes(
      ipv4(r.src),
      ipv4(r.dst),
      [0, 4],
      [r.input ?? 0, 2],
      [r.output ?? 0, 2],
      [r.packets ?? 1, 4],
      [r.bytes ?? 100, 4],
      [r.first ?? 90_000, 4],
      [r.last ?? 95_000, 4],
      [r.srcPort ?? 0, 2],
      [r.dstPort ?? 0, 2],
      [0, 1],
      [r.tcpFlags ?? 0, 1],
      [r.protocol ?? 17, 1],
      [0, 1],
      [0, 2],
      [0, 2],
      [0, 1],
      [0, 1],
      [0, 2],
    ),
  );
  return concat([head, ...body]);
}

// NetFlow v9 (RFC 3954) and IPFIX (RFC 7011).

export interface FieldSpec {
  id: number;
  length: number;
  /** Enterprise number (IPFIX only). */
  pen?: number;
}

export interface TemplateSpec {
  id: number;
  fields: FieldSpec[];
  /** Options templates: how many of `fields` are scope fields. */
  scopeCount?: number;
}

export interface V9Header {
  sysUptime?: number;
  unixSecs?: number;
  sequence?: number;
  sourceId?: number;
  count?: number;
}

export function netflowV9(header: V9Header, flowSets: Uint8Array[]): Uint8Array {
  return concat([
    bytes(
      [9, 2],
      [header.count ?? flowSets.length, 2],
      [header.sysUptime ?? 100_000, 4],
      [header.unixSecs ?? 1_700_000_000, 4],
      [header.sequence ?? 0, 4],
      [header.sourceId ?? 0, 4],
    ),
    ...flowSets,
  ]);
}

/** A set (v9 FlowSet) with its 4-byte header; the body is padded to 4 bytes when `pad`. */
export function set(id: number, body: Uint8Array, pad = true): Uint8Array {
  const b = pad ? pad4(body) : body;
  return concat([bytes([id, 2], [b.length + 4, 2]), b]);
}

export function v9TemplateSet(templates: TemplateSpec[]): Uint8Array {
  return set(
    0,
    concat(
      templates.map((t) =>
        concat([
          bytes([t.id, 2], [t.fields.length, 2]),
          ...t.fields.map((f) => bytes([f.id, 2], [f.length, 2])),
        ]),
      ),
    ),
  );
}

export function v9OptionsTemplateSet(templates: TemplateSpec[]): Uint8Array {
  return set(
    1,
    concat(
      templates.map((t) => {
        const scope = t.scopeCount ?? 1;
        return concat([
          bytes([t.id, 2], [scope * 4, 2], [(t.fields.length - scope) * 4, 2]),
          ...t.fields.map((f) => bytes([f.id, 2], [f.length, 2])),
        ]);
      }),
    ),
  );
}

export interface IpfixHeader {
  exportTime?: number;
  sequence?: number;
  domain?: number;
}

export function ipfix(header: IpfixHeader, sets: Uint8Array[]): Uint8Array {
  const body = concat(sets);
  return concat([
    bytes(
      [10, 2],
      [16 + body.length, 2],
      [header.exportTime ?? 1_700_000_000, 4],
      [header.sequence ?? 0, 4],
      [header.domain ?? 0, 4],
    ),
    body,
  ]);
}

function ipfixFieldSpec(f: FieldSpec): Uint8Array {
  return f.pen === undefined
    ? bytes([f.id, 2], [f.length, 2])
    : bytes([f.id | 0x8000, 2], [f.length, 2], [f.pen, 4]);
}

export function ipfixTemplateSet(templates: TemplateSpec[]): Uint8Array {
  return set(
    2,
    concat(
      templates.map((t) => concat([bytes([t.id, 2], [t.fields.length, 2]), ...t.fields.map(ipfixFieldSpec)])),
    ),
    false,
  );
}

export function ipfixOptionsTemplateSet(templates: TemplateSpec[]): Uint8Array {
  return set(
    3,
    concat(
      templates.map((t) =>
        concat([
          bytes([t.id, 2], [t.fields.length, 2], [t.scopeCount ?? 1, 2]),
          ...t.fields.map(ipfixFieldSpec),
        ]),
      ),
    ),
    false,
  );
}

/** RFC 7011 §8.1 withdrawal record (field count 0) for template `id`. */
export function ipfixWithdrawalSet(id: number, options = false): Uint8Array {
  return set(options ? 3 : 2, bytes([id, 2], [0, 2]), false);
}

/** An IPFIX variable-length value: 1-byte length, or 255 and a 2-byte length (RFC 7011 §7). */
export function varField(value: Uint8Array): Uint8Array {
  return value.length < 255
    ? concat([Uint8Array.of(value.length), value])
    : concat([bytes([255, 1], [value.length, 2]), value]);
}

// sFlow v5 (https://sflow.org/sflow_version_5.txt).

export interface SflowHeader {
  agent?: Uint8Array;
  subAgent?: number;
  sequence?: number;
  uptime?: number;
}

export function sflowV5(header: SflowHeader, samples: Uint8Array[]): Uint8Array {
  const agent = header.agent ?? ipv4('192.0.2.1');
  return concat([
    bytes([5, 4], [agent.length === 4 ? 1 : 2, 4]),
    agent,
    bytes(
      [header.subAgent ?? 0, 4],
      [header.sequence ?? 1, 4],
      [header.uptime ?? 1000, 4],
      [samples.length, 4],
    ),
    ...samples,
  ]);
}

/** A sample or record: data_format (enterprise << 12 | format) and length, then the body. */
export function sflowItem(format: number, body: Uint8Array, enterprise = 0): Uint8Array {
  const b = pad4(body);
  return concat([bytes([(enterprise << 12) | format, 4], [b.length, 4]), b]);
}

export interface FlowSampleSpec {
  rate: number;
  input?: number;
  output?: number;
  records: Uint8Array[];
  expanded?: boolean;
}

export function sflowFlowSample(s: FlowSampleSpec): Uint8Array {
  if (s.expanded) {
    return sflowItem(
      3,
      concat([
        bytes(
          [1, 4],
          [0, 4],
          [1, 4],
          [s.rate, 4],
          [100, 4],
          [0, 4],
          [0, 4],
          [s.input ?? 0, 4],
          [0, 4],
          [s.output ?? 0, 4],
          [s.records.length, 4],
        ),
        ...s.records,
      ]),
    );
  }
  return sflowItem(
    1,
    concat([
      bytes(
        [1, 4],
        [1, 4],
        [s.rate, 4],
        [100, 4],
        [0, 4],
        [s.input ?? 0, 4],
        [s.output ?? 0, 4],
        [s.records.length, 4],
      ),
      ...s.records,
    ]),
  );
}

/** Raw packet header record (format 1); header protocol 1 = Ethernet, 11 = IPv4, 12 = IPv6. */
export function sflowRawHeader(headerProtocol: number, frameLength: number, header: Uint8Array): Uint8Array {
  return sflowItem(
    1,
    concat([bytes([headerProtocol, 4], [frameLength, 4], [4, 4], [header.length, 4]), header]),
  );
}

export function sflowCounterSample(records: Uint8Array[], sequence = 1): Uint8Array {
  return sflowItem(2, concat([bytes([sequence, 4], [1, 4], [records.length, 4]), ...records]));
}

export interface GenericCounters {
  ifIndex: number;
  ifSpeed?: number;
  inOctets?: number;
  outOctets?: number;
  inUcast?: number;
  outUcast?: number;
}

export function sflowGenericCounters(c: GenericCounters): Uint8Array {
  return sflowItem(
    1,
    bytes(
      [c.ifIndex, 4],
      [6, 4],
      [c.ifSpeed ?? 1_000_000_000, 8],
      [1, 4],
      [3, 4],
      [c.inOctets ?? 0, 8],
      [c.inUcast ?? 0, 4],
      [0, 4],
      [0, 4],
      [0, 4],
      [0, 4],
      [0, 4],
      [c.outOctets ?? 0, 8],
      [c.outUcast ?? 0, 4],
      [0, 4],
      [0, 4],
      [0, 4],
      [0, 4],
      [0, 4],
    ),
  );
}

/** A minimal IPv4 + TCP/UDP packet (no link layer) for sFlow raw headers. */
export function ipv4Packet(
  src: string,
  dst: string,
  protocol: number,
  srcPort: number,
  dstPort: number,
  total = 60,
): Uint8Array {
  const l4 =
    protocol === 6
      ? bytes([srcPort, 2], [dstPort, 2], [1, 4], [0, 4], [0x50, 1], [0x02, 1], [1024, 2], [0, 2], [0, 2])
      : bytes([srcPort, 2], [dstPort, 2], [total - 20, 2], [0, 2]);
  return concat([
    bytes([0x45, 1], [0, 1], [total, 2], [0, 4], [64, 1], [protocol, 1], [0, 2]),
    ipv4(src),
    ipv4(dst),
    l4,
  ]);
}
