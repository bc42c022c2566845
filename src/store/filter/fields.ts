/**
 * The field catalogue: every name a filter may use, its aliases, what kind of value it takes and
 * which `flows` columns it reads. The parser, the SQL compiler, the docs and the dashboard's
 * autocomplete all read this one list. Column names here are the only identifiers that ever
 * reach SQL.
 */
import type { ConnState, FlowEndReason } from '../../model/index.js';
import type { CompareOp } from './ast.js';

export type ValueKind =
  /** An IP address; `=` matches it exactly. */
  | 'address'
  /** A CIDR network (a bare address means a /32 or /128). */
  | 'network'
  /** An integer in [min, max]; ranges `a-b` allowed. */
  | 'integer'
  /** A count with optional k/M/G/T suffix (powers of 1000); ranges allowed. */
  | 'count'
  /** A duration with unit us/ms/s/m/h/d (seconds when bare), held in microseconds. */
  | 'duration'
  /** A protocol name or number 0–255. */
  | 'protocol'
  /** Free text, bare word or quoted. */
  | 'string'
  /** One of `values`, matched case-insensitively, held in canonical spelling. */
  | 'enum'
  /** A two-letter country code, held in upper case. */
  | 'country'
  /** TCP flag letters (FSRPAUEC); `=` means all of them are set. */
  | 'flags'
  /** A threat tag; `=` means the flow carries that tag. */
  | 'tag'
  /** Takes no value: the field is present and non-empty. */
  | 'presence';

export interface FieldSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly kind: ValueKind;
  /** Two-sided: `src`/`dst` may prefix it, and `columns` is [src column, dst column]. */
  readonly sided: boolean;
  /** `flows` columns read by the predicate. */
  readonly columns: readonly string[];
  /** The column may be NULL (enrichment not run, or not applicable). */
  readonly nullable: boolean;
  /** The address column holds text (as the exporter wrote it) rather than a 128-bit number. */
  readonly textAddress?: boolean;
  /**
   * Text forms of the 128-bit address `columns`, side for side (`src_ip`, `dst_ip`: canonical
   * text, as the store writes it). Equality and octet-aligned IPv4 networks compare these, which
   * DuckDB scans several times faster than the UHUGEINT columns.
   */
  readonly textColumns?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Members of an `enum` field, canonical spelling. */
  readonly values?: readonly string[];
  readonly description: string;
  readonly example: string;
}

const U16 = 65_535;
const U32 = 4_294_967_295;
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export const CONN_STATES = [
  'S0',
  'S1',
  'SF',
  'REJ',
  'S2',
  'S3',
  'RSTO',
  'RSTR',
  'RSTOS0',
  'RSTRH',
  'SH',
  'SHR',
  'OTH',
] as const satisfies readonly ConnState[];

export const END_REASONS = [
  'idle-timeout',
  'active-timeout',
  'tcp-fin',
  'tcp-rst',
  'tcp-reuse',
  'end-of-input',
  'evicted',
] as const satisfies readonly FlowEndReason[];

export const SOURCE_KINDS = ['pcap', 'live', 'netflow', 'ipfix', 'sflow'] as const;
export const TUNNEL_TYPES = ['gre', 'vxlan', 'geneve', 'teredo', 'ipip'] as const;

/** IANA protocol numbers by name; the first name for a number is the canonical one. */
export const PROTOCOL_NAMES: ReadonlyMap<string, number> = new Map([
  ['icmp', 1],
  ['igmp', 2],
  ['ipip', 4],
  ['tcp', 6],
  ['udp', 17],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['icmpv6', 58],
  ['icmp6', 58],
  ['ospf', 89],
  ['pim', 103],
  ['vrrp', 112],
  ['l2tp', 115],
  ['sctp', 132],
  ['udplite', 136],
]);

/** TCP flag letters in bit order (FIN = bit 0 … CWR = bit 7), as nfdump writes them. */
export const TCP_FLAG_LETTERS = 'FSRPAUEC';

export const FIELDS = [
  {
    name: 'host',
    aliases: ['ip', 'addr'],
    kind: 'address',
    sided: true,
    columns: ['src_addr', 'dst_addr'],
    textColumns: ['src_ip', 'dst_ip'],
    nullable: false,
    description: 'Source or destination IP address (IPv4 or IPv6).',
    example: 'src host 10.0.0.1',
  },
  {
    name: 'net',
    aliases: ['network'],
    kind: 'network',
    sided: true,
    columns: ['src_addr', 'dst_addr'],
    textColumns: ['src_ip', 'dst_ip'],
    nullable: false,
    description: 'Source or destination address inside a CIDR network.',
    example: 'dst net 2001:db8::/32',
  },
  {
    name: 'port',
    aliases: [],
    kind: 'integer',
    sided: true,
    columns: ['src_port', 'dst_port'],
    nullable: false,
    min: 0,
    max: U16,
    description: 'Source or destination port (0 for protocols without ports).',
    example: 'src port 1024-65535',
  },
  {
    name: 'proto',
    aliases: ['protocol'],
    kind: 'protocol',
    sided: false,
    columns: ['protocol'],
    nullable: false,
    description: 'IP protocol, by name or number; `tcp`, `udp`, `icmp`… alone are short for it.',
    example: 'proto udp',
  },
  {
    name: 'ipver',
    aliases: ['ip_version'],
    kind: 'integer',
    sided: false,
    columns: ['ip_version'],
    nullable: false,
    min: 4,
    max: 6,
    description: 'IP version, 4 or 6; `ip4`/`ipv4` and `ip6`/`ipv6` alone are short for it.',
    example: 'ipver 6',
  },
  {
    name: 'vlan',
    aliases: [],
    kind: 'integer',
    sided: false,
    columns: ['vlan'],
    nullable: false,
    min: 0,
    max: 4095,
    description: '802.1Q VLAN id, 0 when untagged.',
    example: 'vlan 10',
  },
  {
    name: 'bytes',
    aliases: ['octets'],
    kind: 'count',
    sided: false,
    columns: ['bytes'],
    nullable: false,
    description: 'IP-layer bytes, both directions.',
    example: 'bytes > 1M',
  },
  {
    name: 'packets',
    aliases: ['pkts'],
    kind: 'count',
    sided: false,
    columns: ['packets'],
    nullable: false,
    description: 'Packets, both directions.',
    example: 'packets >= 10',
  },
  {
    name: 'frame_bytes',
    aliases: [],
    kind: 'count',
    sided: false,
    columns: ['frame_bytes'],
    nullable: false,
    description: 'Bytes on the wire (frame lengths), both directions.',
    example: 'frame_bytes > 10k',
  },
  {
    name: 'fwd_bytes',
    aliases: [],
    kind: 'count',
    sided: false,
    columns: ['fwd_bytes'],
    nullable: false,
    description: 'Bytes from the originator to the responder.',
    example: 'fwd_bytes > 100k',
  },
  {
    name: 'rev_bytes',
    aliases: [],
    kind: 'count',
    sided: false,
    columns: ['rev_bytes'],
    nullable: false,
    description: 'Bytes from the responder to the originator.',
    example: 'rev_bytes = 0',
  },
  {
    name: 'fwd_packets',
    aliases: ['fwd_pkts'],
    kind: 'count',
    sided: false,
    columns: ['fwd_packets'],
    nullable: false,
    description: 'Packets from the originator to the responder.',
    example: 'fwd_packets < 3',
  },
  {
    name: 'rev_packets',
    aliases: ['rev_pkts'],
    kind: 'count',
    sided: false,
    columns: ['rev_packets'],
    nullable: false,
    description: 'Packets from the responder to the originator.',
    example: 'rev_packets = 0',
  },
  {
    name: 'duration',
    aliases: ['dur'],
    kind: 'duration',
    sided: false,
    columns: ['first_ts', 'last_ts'],
    nullable: false,
    max: UNBOUNDED,
    description: 'Time from the first to the last packet.',
    example: 'duration > 5s',
  },
  {
    name: 'flags',
    aliases: ['tcp_flags'],
    kind: 'flags',
    sided: false,
    columns: ['tcp_flags'],
    nullable: false,
    description: 'TCP flags seen in either direction; all the given flags must be set.',
    example: 'flags SA',
  },
  {
    name: 'state',
    aliases: ['conn_state'],
    kind: 'enum',
    sided: false,
    columns: ['state'],
    nullable: false,
    values: CONN_STATES,
    description: 'Zeek-style connection state.',
    example: 'state SF',
  },
  {
    name: 'end_reason',
    aliases: ['reason'],
    kind: 'enum',
    sided: false,
    columns: ['end_reason'],
    nullable: false,
    values: END_REASONS,
    description: 'Why the flow record was emitted.',
    example: 'end_reason idle-timeout',
  },
  {
    name: 'fragments',
    aliases: ['frags'],
    kind: 'count',
    sided: false,
    columns: ['fragments'],
    nullable: false,
    description: 'Packets of the flow that were IP fragments.',
    example: 'fragments > 0',
  },
  {
    name: 'tunnel',
    aliases: ['tunnel_type'],
    kind: 'enum',
    sided: false,
    columns: ['tunnel_type'],
    nullable: true,
    values: TUNNEL_TYPES,
    description: 'Encapsulation the flow was carried in.',
    example: 'tunnel vxlan',
  },
  {
    name: 'tunnel_id',
    aliases: ['vni'],
    kind: 'integer',
    sided: false,
    columns: ['tunnel_id'],
    nullable: true,
    min: 0,
    max: U32,
    description: 'VXLAN/Geneve VNI or GRE key.',
    example: 'tunnel_id 42',
  },
  {
    name: 'source',
    aliases: ['source_kind'],
    kind: 'enum',
    sided: false,
    columns: ['source_kind'],
    nullable: false,
    values: SOURCE_KINDS,
    description: 'Where the record came from.',
    example: 'source netflow',
  },
  {
    name: 'exporter',
    aliases: [],
    kind: 'address',
    sided: false,
    columns: ['exporter'],
    nullable: true,
    textAddress: true,
    description: 'Address of the NetFlow/IPFIX/sFlow exporter.',
    example: 'exporter 10.1.1.1',
  },
  {
    name: 'sampling',
    aliases: ['sampling_rate'],
    kind: 'integer',
    sided: false,
    columns: ['sampling_rate'],
    nullable: true,
    min: 0,
    max: U32,
    description: 'Sampling rate announced by the exporter (1 in N).',
    example: 'sampling > 1',
  },
  {
    name: 'app',
    aliases: ['application'],
    kind: 'string',
    sided: false,
    columns: ['application'],
    nullable: true,
    description: 'Application protocol detected in the payload.',
    example: 'app tls',
  },
  {
    name: 'sni',
    aliases: [],
    kind: 'string',
    sided: false,
    columns: ['sni'],
    nullable: true,
    description: 'TLS/QUIC server name indication.',
    example: 'sni ~ "example"',
  },
  {
    name: 'http_host',
    aliases: [],
    kind: 'string',
    sided: false,
    columns: ['http_host'],
    nullable: true,
    description: 'HTTP Host header.',
    example: 'http_host = "www.example.com"',
  },
  {
    name: 'dns',
    aliases: ['dns_name', 'query'],
    kind: 'string',
    sided: false,
    columns: ['dns_name'],
    nullable: true,
    description: 'DNS query name.',
    example: 'dns ~ "example.com"',
  },
  {
    name: 'country',
    aliases: ['cc'],
    kind: 'country',
    sided: true,
    columns: ['src_country', 'dst_country'],
    nullable: true,
    description: 'ISO 3166 country of the source or destination address (GeoIP).',
    example: 'dst country RU',
  },
  {
    name: 'asn',
    aliases: ['as'],
    kind: 'integer',
    sided: true,
    columns: ['src_asn', 'dst_asn'],
    nullable: true,
    min: 0,
    max: U32,
    description: 'Autonomous system number of the source or destination address.',
    example: 'asn 15169',
  },
  {
    name: 'as_name',
    aliases: ['asname', 'org'],
    kind: 'string',
    sided: true,
    columns: ['src_as_name', 'dst_as_name'],
    nullable: true,
    description: 'Autonomous system name of the source or destination address.',
    example: 'as_name ~ "google"',
  },
  {
    name: 'tag',
    aliases: ['threat_tag'],
    kind: 'tag',
    sided: false,
    columns: ['threat_tags'],
    nullable: true,
    description: 'The flow carries this threat-intelligence tag.',
    example: 'tag botnet',
  },
  {
    name: 'threat',
    aliases: [],
    kind: 'presence',
    sided: false,
    columns: ['threat_tags'],
    nullable: true,
    description: 'The flow carries at least one threat-intelligence tag.',
    example: 'threat',
  },
  {
    name: 'community_id',
    aliases: ['cid'],
    kind: 'string',
    sided: false,
    columns: ['community_id'],
    nullable: false,
    description: 'Community ID v1 of the flow.',
    example: 'community_id "1:LQU9qZlK+B5F3KDmev6m5PMibrg="',
  },
  {
    name: 'ingest',
    aliases: ['ingest_id'],
    kind: 'string',
    sided: false,
    columns: ['ingest_id'],
    nullable: false,
    description: 'Id of the ingest job (file, capture or collector run) that stored the flow.',
    example: 'ingest "2024-05-01-capture"',
  },
] as const satisfies readonly FieldSpec[];

export type FieldName = (typeof FIELDS)[number]['name'];

/** Bare words that stand for a whole predicate (`tcp` = `proto tcp`, `ip6` = `ipver 6`). */
export const SHORTHANDS: ReadonlyMap<string, { field: FieldName; value: number }> = new Map<
  string,
  { field: FieldName; value: number }
>([
  ...[...PROTOCOL_NAMES].map(
    ([name, value]) => [name, { field: 'proto', value }] as [string, { field: FieldName; value: number }],
  ),
  ['ip4', { field: 'ipver', value: 4 }],
  ['ipv4', { field: 'ipver', value: 4 }],
  ['ip6', { field: 'ipver', value: 6 }],
  ['ipv6', { field: 'ipver', value: 6 }],
]);

/** Which operators each kind of value accepts; the first is the one implied when none is written. */
export const OPERATORS: Readonly<Record<ValueKind, readonly CompareOp[]>> = {
  address: ['=', '!='],
  network: ['=', '!='],
  integer: ['=', '!=', '<', '<=', '>', '>='],
  count: ['=', '!=', '<', '<=', '>', '>='],
  duration: ['=', '!=', '<', '<=', '>', '>='],
  protocol: ['=', '!='],
  string: ['=', '!=', '~'],
  enum: ['=', '!='],
  country: ['=', '!='],
  flags: ['=', '!='],
  tag: ['=', '!='],
  presence: [],
};

const BY_NAME = new Map<string, FieldSpec>();
for (const spec of FIELDS as readonly FieldSpec[]) {
  BY_NAME.set(spec.name, spec);
  for (const alias of spec.aliases) BY_NAME.set(alias, spec);
}

/** The field a name or alias (any case) refers to. */
export function lookupField(name: string): FieldSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function fieldSpec(name: FieldName): FieldSpec {
  return BY_NAME.get(name)!;
}

/** Every word that may start a predicate: names, aliases and shorthands (for suggestions). */
export function predicateWords(): string[] {
  return [...BY_NAME.keys(), ...SHORTHANDS.keys(), 'src', 'dst', 'not'];
}

/** What a value of this field looks like, as error messages say it ("a port number"). */
export function describeValue(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'address':
      return 'an IP address';
    case 'network':
      return 'a network such as 10.0.0.0/8 or 2001:db8::/32';
    case 'integer':
      return spec.name === 'port' ? 'a port number' : 'a number';
    case 'count':
      return 'a number (suffixes k, M, G, T)';
    case 'duration':
      return 'a duration such as 5s, 200ms or 1h';
    case 'protocol':
      return 'a protocol name or number (0-255)';
    case 'string':
      return 'a word or a quoted string';
    case 'enum':
      return `one of ${(spec.values ?? []).join(', ')}`;
    case 'country':
      return 'a two-letter country code';
    case 'flags':
      return `TCP flag letters (${TCP_FLAG_LETTERS})`;
    case 'tag':
      return 'a tag name';
    case 'presence':
      return 'nothing';
  }
}
