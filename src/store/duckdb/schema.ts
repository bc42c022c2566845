/**
 * The DuckDB schema as numbered migrations. Contract: a migration is appended, never edited once
 * released; `runMigrations` applies the pending ones in order, each in its own transaction
 * together with its `schema_migrations` row, so a crash leaves the schema at a whole version and
 * a second start applies nothing.
 *
 * Ingests: `file_sha256` is the fingerprint of every attempt; `sha256` (UNIQUE) is set only on the
 * complete ingest that holds the file, so the store holds each file at most once while aborted
 * attempts and a replacing (`--force`) ingest can sit beside it.
 *
 * Addresses: `src_addr`/`dst_addr` are the 128-bit value of the address with IPv4 mapped to
 * `::ffff:a.b.c.d` (model/ip-numeric.ts), so one BETWEEN covers a CIDR of either family;
 * `src_ip`/`dst_ip` keep the text form for display. Timestamps are TIMESTAMP (microseconds, UTC).
 */

import {
  createHostRollupTable,
  createHostTotalsTable,
  createRollupTables,
  rebuildHostRollupStatements,
  rebuildHostTotalsStatements,
  rebuildRollupStatements,
} from './rollups.js';

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

/** `flows` as migration 1 created it; frozen with that migration. */
const FLOW_COLUMNS_V1 = [
  ['community_id', 'VARCHAR NOT NULL'],
  ['protocol', 'UTINYINT NOT NULL'],
  ['ip_version', 'UTINYINT NOT NULL'],
  ['src_ip', 'VARCHAR NOT NULL'],
  ['dst_ip', 'VARCHAR NOT NULL'],
  ['src_addr', 'UHUGEINT NOT NULL'],
  ['dst_addr', 'UHUGEINT NOT NULL'],
  ['src_port', 'USMALLINT NOT NULL'],
  ['dst_port', 'USMALLINT NOT NULL'],
  ['vlan', 'USMALLINT NOT NULL'],
  ['first_ts', 'TIMESTAMP NOT NULL'],
  ['last_ts', 'TIMESTAMP NOT NULL'],
  ['packets', 'UBIGINT NOT NULL'],
  ['bytes', 'UBIGINT NOT NULL'],
  ['frame_bytes', 'UBIGINT NOT NULL'],
  ['fwd_packets', 'UBIGINT NOT NULL'],
  ['fwd_bytes', 'UBIGINT NOT NULL'],
  ['rev_packets', 'UBIGINT NOT NULL'],
  ['rev_bytes', 'UBIGINT NOT NULL'],
  ['tcp_flags', 'UTINYINT NOT NULL'],
  ['fwd_tcp_flags', 'UTINYINT NOT NULL'],
  ['rev_tcp_flags', 'UTINYINT NOT NULL'],
  ['state', 'VARCHAR NOT NULL'],
  ['end_reason', 'VARCHAR NOT NULL'],
  ['fragments', 'UINTEGER NOT NULL'],
  ['tunnel_type', 'VARCHAR'],
  ['tunnel_id', 'UINTEGER'],
  ['source_kind', 'VARCHAR NOT NULL'],
  ['exporter', 'VARCHAR'],
  ['sampling_rate', 'UINTEGER'],
  ['raw_packets', 'UBIGINT'],
  ['raw_bytes', 'UBIGINT'],
  ['input_if', 'UINTEGER'],
  ['output_if', 'UINTEGER'],
  ['application', 'VARCHAR'],
  ['sni', 'VARCHAR'],
  ['http_host', 'VARCHAR'],
  ['dns_name', 'VARCHAR'],
  ['src_country', 'VARCHAR'],
  ['dst_country', 'VARCHAR'],
  ['src_asn', 'UINTEGER'],
  ['dst_asn', 'UINTEGER'],
  ['src_as_name', 'VARCHAR'],
  ['dst_as_name', 'VARCHAR'],
  ['threat_tags', 'VARCHAR[]'],
  ['ingest_id', 'VARCHAR'],
] as const;

export type FlowColumn = (typeof FLOW_COLUMNS_V1)[number][0];

/**
 * Migration 2's ENUM columns, frozen with it: members in byte order, so that ORDER BY sorts them
 * as it sorted the text. Comparing with a VARCHAR parameter works as before, a value outside the
 * type included (it matches nothing). A new member needs an ALTER in a new migration.
 *
 * The types are written inline, not as `CREATE TYPE` names: DuckDB 1.5.5 cannot replay a WAL
 * holding `ALTER COLUMN … TYPE <named type>` ("GetDefaultDatabase with no default database
 * set"), so a store killed before its first checkpoint would not open again.
 */
export const FLOW_ENUMS = {
  state: ['OTH', 'REJ', 'RSTO', 'RSTOS0', 'RSTR', 'RSTRH', 'S0', 'S1', 'S2', 'S3', 'SF', 'SH', 'SHR'],
  end_reason: [
    'active-timeout',
    'end-of-input',
    'evicted',
    'idle-timeout',
    'tcp-fin',
    'tcp-reuse',
    'tcp-rst',
  ],
  source_kind: ['ipfix', 'live', 'netflow', 'pcap', 'sflow'],
  tunnel_type: ['geneve', 'gre', 'ipip', 'teredo', 'vxlan'],
} as const satisfies Partial<Record<FlowColumn, readonly string[]>>;

const enumType = (column: keyof typeof FLOW_ENUMS) =>
  `ENUM(${FLOW_ENUMS[column].map((member) => `'${member}'`).join(', ')})`;

/** Column order and types of `flows` now; the appender writes in exactly this order. */
export const FLOW_COLUMNS: readonly (readonly [FlowColumn, string])[] = FLOW_COLUMNS_V1.map(([name, type]) =>
  name in FLOW_ENUMS
    ? [name, type.replace('VARCHAR', enumType(name as keyof typeof FLOW_ENUMS))]
    : [name, type],
);

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'flows, alerts, ingests',
    statements: [
      `CREATE TABLE flows (\n  ${FLOW_COLUMNS_V1.map(([name, type]) => `${name} ${type}`).join(',\n  ')}\n)`,
      `CREATE TABLE alerts (
  id VARCHAR PRIMARY KEY,
  ts TIMESTAMP NOT NULL,
  type VARCHAR NOT NULL,
  severity VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  src_ip VARCHAR,
  dst_ip VARCHAR,
  summary VARCHAR NOT NULL,
  evidence JSON,
  mitre VARCHAR[] NOT NULL,
  community_ids VARCHAR[],
  ingest_id VARCHAR
)`,
      `CREATE TABLE ingests (
  id VARCHAR PRIMARY KEY,
  file VARCHAR NOT NULL,
  file_sha256 VARCHAR NOT NULL,
  sha256 VARCHAR UNIQUE,
  size_bytes UBIGINT NOT NULL,
  source_kind VARCHAR NOT NULL,
  status VARCHAR NOT NULL CHECK (status IN ('running', 'complete', 'aborted')),
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  flows UBIGINT NOT NULL DEFAULT 0,
  packets UBIGINT NOT NULL DEFAULT 0,
  bytes UBIGINT NOT NULL DEFAULT 0,
  error VARCHAR
)`,
    ],
  },
  {
    // Ingest speed: an ENUM is a one-byte code that the appender copies with the other
    // fixed-width columns, where VARCHAR costs a native call per value (bench/README.md).
    version: 2,
    description: 'state, end_reason, source_kind, tunnel_type as ENUM',
    statements: Object.keys(FLOW_ENUMS).map(
      (column) =>
        `ALTER TABLE flows ALTER COLUMN ${column} TYPE ${enumType(column as keyof typeof FLOW_ENUMS)}`,
    ),
  },
  {
    // Alert lifecycle: deduplication by fingerprint (count, first and last seen), a score, the
    // targets, and who moved the alert to which state when. States become new / acknowledged /
    // dismissed.
    version: 3,
    description: 'alert lifecycle: fingerprint, score, first/last seen, count, targets, state by/at',
    statements: [
      'ALTER TABLE alerts ADD COLUMN fingerprint VARCHAR',
      'ALTER TABLE alerts ADD COLUMN score UTINYINT',
      'ALTER TABLE alerts ADD COLUMN first_seen TIMESTAMP',
      'ALTER TABLE alerts ADD COLUMN last_seen TIMESTAMP',
      'ALTER TABLE alerts ADD COLUMN count UBIGINT DEFAULT 1',
      'ALTER TABLE alerts ADD COLUMN targets VARCHAR[]',
      'ALTER TABLE alerts ADD COLUMN state_by VARCHAR',
      'ALTER TABLE alerts ADD COLUMN state_at TIMESTAMP',
      `UPDATE alerts SET state = CASE state WHEN 'open' THEN 'new' WHEN 'closed' THEN 'dismissed' ELSE state END,
  fingerprint = coalesce(fingerprint, id), first_seen = coalesce(first_seen, ts), last_seen = coalesce(last_seen, ts),
  count = coalesce(count, 1)`,
    ],
  },
  {
    // The device inventory: what analyzers learnt (one JSON document per MAC, merged on every
    // ingest or capture) beside what users say of the device.
    version: 4,
    description: 'devices',
    statements: [
      `CREATE TABLE devices (
  mac VARCHAR PRIMARY KEY,
  first_seen TIMESTAMP NOT NULL,
  last_seen TIMESTAMP NOT NULL,
  inventory JSON NOT NULL,
  name VARCHAR,
  owner VARCHAR,
  notes VARCHAR,
  trusted BOOLEAN NOT NULL DEFAULT false
)`,
    ],
  },
  {
    // sFlow counter samples (RFC 3176 / sFlow v5 generic interface counters), one row per
    // sample: the raw counters as the agent reported them.
    version: 5,
    description: 'interface counters',
    statements: [
      `CREATE TABLE interface_counters (
  ts TIMESTAMP NOT NULL,
  exporter VARCHAR NOT NULL,
  agent VARCHAR NOT NULL,
  sub_agent_id UBIGINT NOT NULL,
  sequence UBIGINT NOT NULL,
  if_index UBIGINT NOT NULL,
  if_type UBIGINT NOT NULL,
  if_speed UBIGINT NOT NULL,
  if_direction UTINYINT NOT NULL,
  if_status UTINYINT NOT NULL,
  if_in_octets UBIGINT NOT NULL,
  if_in_ucast_pkts UBIGINT NOT NULL,
  if_in_multicast_pkts UBIGINT NOT NULL,
  if_in_broadcast_pkts UBIGINT NOT NULL,
  if_in_discards UBIGINT NOT NULL,
  if_in_errors UBIGINT NOT NULL,
  if_in_unknown_protos UBIGINT NOT NULL,
  if_out_octets UBIGINT NOT NULL,
  if_out_ucast_pkts UBIGINT NOT NULL,
  if_out_multicast_pkts UBIGINT NOT NULL,
  if_out_broadcast_pkts UBIGINT NOT NULL,
  if_out_discards UBIGINT NOT NULL,
  if_out_errors UBIGINT NOT NULL,
  if_promiscuous_mode UBIGINT NOT NULL
)`,
    ],
  },
  {
    // Time rollups (store/rollups.ts), filled from the flows already stored.
    version: 6,
    description: 'rollups per 1 min, 5 min and 1 h',
    statements: [...createRollupTables(FLOW_COLUMNS), ...rebuildRollupStatements()],
  },
  {
    // The address rollup (store/rollups.ts, HOST_ROLLUP), filled from the flows already stored:
    // top-N by address over days without reading every flow.
    version: 7,
    description: 'address rollup per day',
    statements: [createHostRollupTable(), ...rebuildHostRollupStatements()],
  },
  {
    // The address totals (store/rollups.ts, HOST_TOTALS), filled from the address rollup: top-N
    // by address over most of the stored days without one row per day.
    version: 8,
    description: 'address totals',
    statements: [createHostTotalsTable(), ...rebuildHostTotalsStatements()],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
