/**
 * Columnar writes of StoredFlow batches into `flows`: rows are laid into DuckDB data chunks of
 * 2048 rows (DuckDB's vector size, chunk-columns.ts) and each full chunk goes to the table's
 * appender in one call, so a flow costs a few typed-array writes and its string assignments,
 * never a statement.
 *
 * Contract: `append` copies what it needs before returning (callers may reuse the records);
 * rows reach the appender's transaction when a chunk fills or on `flush`, and are visible once
 * that transaction commits. A value outside its column's range (a negative count, a port above
 * 65535, a non-integer) throws a RangeError; the chunk in progress is then unusable and the
 * caller must `discard` (the ingest aborts).
 */
import { type DuckDBAppender, DuckDBDataChunk, DuckDBListValue, type DuckDBType } from '@duckdb/node-api';
import { addressToBigInt, parseIpAddress } from '../../model/index.js';
import type { StoredFlow } from '../store.js';
import {
  CHUNK_ROWS,
  ChunkColumns,
  type ColumnWidth,
  u8Checked,
  u16Checked,
  u32Checked,
} from './chunk-columns.js';
import { FLOW_COLUMNS, type FlowColumn } from './schema.js';

/** Addresses seen recently → their 128-bit value as words; hosts repeat, parsing need not. */
const ADDRESS_CACHE_LIMIT = 262_144;

const C = Object.fromEntries(FLOW_COLUMNS.map(([name], i) => [name, i])) as Record<FlowColumn, number>;

const WIDTHS: Record<string, ColumnWidth> = {
  UTINYINT: 1,
  USMALLINT: 2,
  UINTEGER: 4,
  UBIGINT: 8,
  TIMESTAMP: 8,
  UHUGEINT: 16,
  VARCHAR: 'varchar',
};
const COLUMN_WIDTHS = FLOW_COLUMNS.map(([, type]) => WIDTHS[type.split(' ')[0]] ?? 'other');

export interface FlowAppender {
  append(batch: readonly StoredFlow[], ingestId: string | null): void;
  /** Hands buffered rows to the appender and flushes it into the connection's transaction. */
  flush(): void;
  /** Flushes, then closes the appender. */
  close(): void;
  /** Drops every row not yet flushed to the transaction, then closes without flushing. */
  discard(): void;
  readonly rowsAppended: number;
}

export function createFlowAppender(appender: DuckDBAppender): FlowAppender {
  if (appender.columnCount !== FLOW_COLUMNS.length) {
    throw new Error(`flows has ${appender.columnCount} columns, the appender expects ${FLOW_COLUMNS.length}`);
  }
  const types: DuckDBType[] = FLOW_COLUMNS.map((_, i) => appender.columnType(i));
  const columns = new ChunkColumns(COLUMN_WIDTHS);
  const addresses = createAddressCache();
  const tags: (readonly string[] | undefined)[] = new Array(CHUNK_ROWS);
  let anyTags = false;
  const chunk = DuckDBDataChunk.create(types, CHUNK_ROWS);
  columns.attach(chunk);
  let row = 0;
  let rowsAppended = 0;

  const emit = () => {
    if (row === 0) return;
    // The row count goes first: node-api sizes the list vector by it.
    chunk.rowCount = row;
    writeTags(chunk, columns, tags, anyTags, row);
    columns.flushInto(row);
    appender.appendDataChunk(chunk);
    rowsAppended += row;
    // The appender copied the rows; one chunk is reused for the whole ingest, because V8 does
    // not see a chunk's native memory and would let thousands of dead ones pile up.
    chunk.reset();
    columns.attach(chunk);
    row = 0;
    anyTags = false;
  };

  return {
    append(batch, ingestId) {
      for (const flow of batch) {
        writeRow(columns, row, flow, ingestId, addresses);
        tags[row] = flow.threatTags;
        if (flow.threatTags) anyTags = true;
        if (++row === CHUNK_ROWS) emit();
      }
    },
    flush() {
      emit();
      appender.flushSync();
    },
    close() {
      emit();
      appender.closeSync();
    },
    discard() {
      row = 0;
      appender.clear();
      appender.closeSync();
    },
    get rowsAppended() {
      return rowsAppended;
    },
  };
}

/** `threat_tags` is rare, so it takes node-api's list vector only in chunks that have some. */
function writeTags(
  chunk: DuckDBDataChunk,
  columns: ChunkColumns,
  tags: (readonly string[] | undefined)[],
  anyTags: boolean,
  rows: number,
): void {
  const column = C.threat_tags;
  if (!anyTags) {
    for (let r = 0; r < rows; r++) columns.setNull(column, r);
    return;
  }
  const vector = chunk.getColumnVector(column);
  for (let r = 0; r < rows; r++) {
    const list = tags[r];
    vector.setItem(r, list ? new DuckDBListValue(list) : null);
  }
  vector.flush();
}

type AddressWords = (text: string) => Uint32Array;

function createAddressCache(): AddressWords {
  const cache = new Map<string, Uint32Array>();
  return (text) => {
    let words = cache.get(text);
    if (words === undefined) {
      const bytes = parseIpAddress(text);
      if (!bytes) throw new RangeError(`not an IP address: ${text}`);
      const value = addressToBigInt(bytes);
      words = new Uint32Array(4);
      for (let i = 0; i < 4; i++) words[i] = Number((value >> BigInt(32 * i)) & 0xffffffffn);
      if (cache.size >= ADDRESS_CACHE_LIMIT) cache.clear();
      cache.set(text, words);
    }
    return words;
  };
}

/** Writes one record into row `r`, column by column in FLOW_COLUMNS order. */
function writeRow(
  k: ChunkColumns,
  r: number,
  f: StoredFlow,
  ingestId: string | null,
  address: AddressWords,
): void {
  const str = (column: number, value: string | undefined) =>
    value === undefined ? k.setNull(column, r) : k.setString(column, r, value);
  const u32 = (column: number, value: number | undefined) => {
    if (value === undefined) k.setNull(column, r);
    else k.u32[column][r] = u32Checked(value);
  };
  const u64 = (column: number, value: number | undefined) =>
    value === undefined ? k.setNull(column, r) : k.setU64(column, r, value);

  k.setString(C.community_id, r, f.communityId);
  k.u8[C.protocol][r] = u8Checked(f.protocol);
  k.u8[C.ip_version][r] = u8Checked(f.ipVersion);
  k.setString(C.src_ip, r, f.srcIp);
  k.setString(C.dst_ip, r, f.dstIp);
  k.setU128(C.src_addr, r, address(f.srcIp));
  k.setU128(C.dst_addr, r, address(f.dstIp));
  k.u16[C.src_port][r] = u16Checked(f.srcPort);
  k.u16[C.dst_port][r] = u16Checked(f.dstPort);
  k.u16[C.vlan][r] = u16Checked(f.vlan);
  k.setI64(C.first_ts, r, Math.round(f.firstTs * 1e6));
  k.setI64(C.last_ts, r, Math.round(f.lastTs * 1e6));
  k.setU64(C.packets, r, f.packets);
  k.setU64(C.bytes, r, f.bytes);
  k.setU64(C.frame_bytes, r, f.frameBytes);
  k.setU64(C.fwd_packets, r, f.fwdPackets);
  k.setU64(C.fwd_bytes, r, f.fwdBytes);
  k.setU64(C.rev_packets, r, f.revPackets);
  k.setU64(C.rev_bytes, r, f.revBytes);
  k.u8[C.tcp_flags][r] = u8Checked(f.tcpFlags);
  k.u8[C.fwd_tcp_flags][r] = u8Checked(f.fwdTcpFlags);
  k.u8[C.rev_tcp_flags][r] = u8Checked(f.revTcpFlags);
  k.setString(C.state, r, f.state);
  k.setString(C.end_reason, r, f.endReason);
  u32(C.fragments, f.fragments);
  str(C.tunnel_type, f.tunnel?.type);
  u32(C.tunnel_id, f.tunnel?.id);
  k.setString(C.source_kind, r, f.sourceKind);
  str(C.exporter, f.exporter);
  u32(C.sampling_rate, f.samplingRate);
  u64(C.raw_packets, f.rawPackets);
  u64(C.raw_bytes, f.rawBytes);
  u32(C.input_if, f.inputIf);
  u32(C.output_if, f.outputIf);
  str(C.application, f.application);
  str(C.sni, f.sni);
  str(C.http_host, f.httpHost);
  str(C.dns_name, f.dnsName);
  str(C.src_country, f.srcCountry);
  str(C.dst_country, f.dstCountry);
  u32(C.src_asn, f.srcAsn);
  u32(C.dst_asn, f.dstAsn);
  str(C.src_as_name, f.srcAsName);
  str(C.dst_as_name, f.dstAsName);
  str(C.ingest_id, ingestId ?? undefined);
}
