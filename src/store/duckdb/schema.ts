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

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

/** Column order of `flows`; the appender writes in exactly this order. */
export const FLOW_COLUMNS = [
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

export type FlowColumn = (typeof FLOW_COLUMNS)[number][0];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'flows, alerts, ingests',
    statements: [
      `CREATE TABLE flows (\n  ${FLOW_COLUMNS.map(([name, type]) => `${name} ${type}`).join(',\n  ')}\n)`,
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
