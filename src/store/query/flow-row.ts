/**
 * The shape of a stored flow as the query layer returns it (flow search, host detail, export):
 * FlowRecord's field names plus the store's columns, flat. Absent enrichment is null.
 * Timestamps are seconds since the epoch with microsecond precision, as in `flowlens analyze`.
 */
import type { FlowRecord } from '../../model/index.js';
import type { StoreRow } from '../store.js';
import { ident, type Sql } from './sql.js';
import { num } from './values.js';

/** FlowRecord's own fields (the stored forms of state and end reason are plain text), then the store's. */
export interface FlowRow
  extends Omit<
    FlowRecord,
    | 'ipVersion'
    | 'state'
    | 'endReason'
    | 'tunnel'
    | 'application'
    | 'sni'
    | 'httpHost'
    | 'dnsName'
    // Enrichment fields: optional on FlowRecord, null here when absent.
    | 'srcCountry'
    | 'dstCountry'
    | 'srcAsn'
    | 'dstAsn'
    | 'srcAsName'
    | 'dstAsName'
  > {
  ipVersion: number;
  state: string;
  endReason: string;
  tunnelType: string | null;
  tunnelId: number | null;
  sourceKind: string;
  exporter: string | null;
  samplingRate: number | null;
  rawPackets: number | null;
  rawBytes: number | null;
  inputIf: number | null;
  outputIf: number | null;
  application: string | null;
  sni: string | null;
  httpHost: string | null;
  dnsName: string | null;
  srcCountry: string | null;
  dstCountry: string | null;
  srcAsn: number | null;
  dstAsn: number | null;
  srcAsName: string | null;
  dstAsName: string | null;
  threatTags: string[];
  ingestId: string | null;
}

type Kind = 'text' | 'number' | 'text?' | 'number?' | 'tags';

/** [field, column, kind], in output order; the only column names these queries select. */
export const FLOW_ROW_FIELDS: readonly (readonly [keyof FlowRow, string, Kind])[] = [
  ['communityId', 'community_id', 'text'],
  ['protocol', 'protocol', 'number'],
  ['ipVersion', 'ip_version', 'number'],
  ['srcIp', 'src_ip', 'text'],
  ['srcPort', 'src_port', 'number'],
  ['dstIp', 'dst_ip', 'text'],
  ['dstPort', 'dst_port', 'number'],
  ['vlan', 'vlan', 'number'],
  ['firstTs', 'first_ts', 'number'],
  ['lastTs', 'last_ts', 'number'],
  ['packets', 'packets', 'number'],
  ['bytes', 'bytes', 'number'],
  ['frameBytes', 'frame_bytes', 'number'],
  ['fwdPackets', 'fwd_packets', 'number'],
  ['fwdBytes', 'fwd_bytes', 'number'],
  ['revPackets', 'rev_packets', 'number'],
  ['revBytes', 'rev_bytes', 'number'],
  ['tcpFlags', 'tcp_flags', 'number'],
  ['fwdTcpFlags', 'fwd_tcp_flags', 'number'],
  ['revTcpFlags', 'rev_tcp_flags', 'number'],
  ['state', 'state', 'text'],
  ['endReason', 'end_reason', 'text'],
  ['fragments', 'fragments', 'number'],
  ['tunnelType', 'tunnel_type', 'text?'],
  ['tunnelId', 'tunnel_id', 'number?'],
  ['sourceKind', 'source_kind', 'text'],
  ['exporter', 'exporter', 'text?'],
  ['samplingRate', 'sampling_rate', 'number?'],
  ['rawPackets', 'raw_packets', 'number?'],
  ['rawBytes', 'raw_bytes', 'number?'],
  ['inputIf', 'input_if', 'number?'],
  ['outputIf', 'output_if', 'number?'],
  ['application', 'application', 'text?'],
  ['sni', 'sni', 'text?'],
  ['httpHost', 'http_host', 'text?'],
  ['dnsName', 'dns_name', 'text?'],
  ['srcCountry', 'src_country', 'text?'],
  ['dstCountry', 'dst_country', 'text?'],
  ['srcAsn', 'src_asn', 'number?'],
  ['dstAsn', 'dst_asn', 'number?'],
  ['srcAsName', 'src_as_name', 'text?'],
  ['dstAsName', 'dst_as_name', 'text?'],
  ['threatTags', 'threat_tags', 'tags'],
  ['ingestId', 'ingest_id', 'text?'],
];

/** The select list for FlowRow columns. */
export const FLOW_ROW_COLUMNS: Sql = ident(FLOW_ROW_FIELDS.map(([, column]) => column).join(', '));

/** Converts one selected row into a FlowRow. */
export function toFlowRow(row: StoreRow): FlowRow {
  const out: Record<string, unknown> = {};
  for (const [field, column, kind] of FLOW_ROW_FIELDS) {
    const value = row[column];
    switch (kind) {
      case 'text':
        out[field] = String(value);
        break;
      case 'number':
        out[field] = num(value);
        break;
      case 'text?':
        out[field] = value === null || value === undefined ? null : String(value);
        break;
      case 'number?':
        out[field] = value === null || value === undefined ? null : num(value);
        break;
      case 'tags':
        out[field] = Array.isArray(value) ? value.map(String) : [];
        break;
    }
  }
  return out as unknown as FlowRow;
}
