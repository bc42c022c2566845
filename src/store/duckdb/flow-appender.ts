/**
 * Columnar writes of StoredFlow batches into `flows`: rows are laid into DuckDB data chunks of
 * 2048 rows (DuckDB's vector size, chunk-columns.ts) and each full chunk goes to the table's
 * appender in one call, so a flow costs a few typed-array writes plus one native call per string
 * longer than 12 bytes (the community ID, most address texts), never a statement. State, end
 * reason, source kind and tunnel type are ENUM codes; the ingest id is one constant per chunk;
 * the flow-export and enrichment columns cost nothing when absent.
 *
 * Contract: `append` copies what it needs before returning (callers may reuse the records);
 * rows reach the appender's transaction when a chunk fills or on `flush`, and are visible once
 * that transaction commits. A value outside its column's range (a negative count, a port above
 * 65535, a non-integer, a state or tunnel type the ENUM does not hold) throws a RangeError; the
 * chunk in progress is then unusable and the caller must `discard` (the ingest aborts).
 */
import {
  type DuckDBAppender,
  DuckDBDataChunk,
  type DuckDBEnumType,
  DuckDBListValue,
  type DuckDBType,
  DuckDBTypeId,
} from '@duckdb/node-api';
import { addressToBigInt, parseIpAddress } from '../../model/index.js';
import type { StoredFlow } from '../store.js';
import {
  CHUNK_ROWS,
  ChunkColumns,
  type ColumnSpec,
  inlineString,
  u8Checked,
  u16Checked,
  u32Checked,
} from './chunk-columns.js';
import { FLOW_COLUMNS, type FlowColumn } from './schema.js';

/** Addresses seen recently → their 128-bit value and inline text; hosts repeat, parsing need not. */
const ADDRESS_CACHE_LIMIT = 262_144;

const C = Object.fromEntries(FLOW_COLUMNS.map(([name], i) => [name, i])) as Record<FlowColumn, number>;

const WIDTHS: Partial<Record<DuckDBTypeId, ColumnSpec['width']>> = {
  [DuckDBTypeId.UTINYINT]: 1,
  [DuckDBTypeId.USMALLINT]: 2,
  [DuckDBTypeId.UINTEGER]: 4,
  [DuckDBTypeId.UBIGINT]: 8,
  [DuckDBTypeId.TIMESTAMP]: 8,
  [DuckDBTypeId.UHUGEINT]: 16,
  [DuckDBTypeId.VARCHAR]: 'varchar',
};

/** An ENUM column's member → its code, as the table's type defines them. */
type EnumCodes = ReadonlyMap<string, number>;

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
  const codes = new Map<number, EnumCodes>();
  const specs = types.map((type, i): ColumnSpec => {
    const nullable = !FLOW_COLUMNS[i][1].includes('NOT NULL');
    if (type.typeId !== DuckDBTypeId.ENUM) return { width: WIDTHS[type.typeId] ?? 'other', nullable };
    const { values, internalTypeId } = type as DuckDBEnumType;
    // writeRow writes codes as bytes: the schema's ENUMs have fewer than 256 members.
    if (internalTypeId !== DuckDBTypeId.UTINYINT) throw new Error(`flows column ${i} is a wide ENUM`);
    codes.set(i, new Map(values.map((value, code) => [value, code])));
    return { width: WIDTHS[internalTypeId] ?? 'other', nullable };
  });
  const columns = new ChunkColumns(specs);
  const enums: Enums = {
    state: enumCodes(codes, C.state),
    endReason: enumCodes(codes, C.end_reason),
    sourceKind: enumCodes(codes, C.source_kind),
    tunnelType: enumCodes(codes, C.tunnel_type),
  };
  const addresses = createAddressCache();
  const tags: (readonly string[] | undefined)[] = new Array(CHUNK_ROWS);
  let anyTags = false;
  const chunk = DuckDBDataChunk.create(types, CHUNK_ROWS);
  columns.attach(chunk);
  let row = 0;
  let chunkIngestId: string | null = null;
  let rowsAppended = 0;

  const emit = () => {
    if (row === 0) return;
    // The row count goes first: node-api sizes the list vector by it.
    chunk.rowCount = row;
    writeTags(chunk, columns, tags, anyTags, row);
    columns.setConstant(C.ingest_id, chunkIngestId);
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
      // A chunk holds one ingest id, written once as a constant vector.
      if (ingestId !== chunkIngestId) {
        emit();
        chunkIngestId = ingestId;
      }
      for (const flow of batch) {
        writeRow(columns, row, flow, addresses, enums);
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
  if (!anyTags) return;
  columns.markFilled(column);
  const vector = chunk.getColumnVector(column);
  for (let r = 0; r < rows; r++) {
    const list = tags[r];
    vector.setItem(r, list ? new DuckDBListValue(list) : null);
  }
  vector.flush();
}

interface Address {
  /** The 128-bit value as four little-endian words. */
  words: Uint32Array;
  /** The text as an inline DuckDB string, when it is short enough. */
  text: Uint32Array | undefined;
}

function createAddressCache(): (text: string) => Address {
  const cache = new Map<string, Address>();
  return (text) => {
    let address = cache.get(text);
    if (address === undefined) {
      const bytes = parseIpAddress(text);
      if (!bytes) throw new RangeError(`not an IP address: ${text}`);
      const value = addressToBigInt(bytes);
      const words = new Uint32Array(4);
      for (let i = 0; i < 4; i++) words[i] = Number((value >> BigInt(32 * i)) & 0xffffffffn);
      address = { words, text: inlineString(text) };
      if (cache.size >= ADDRESS_CACHE_LIMIT) cache.clear();
      cache.set(text, address);
    }
    return address;
  };
}

interface Enums {
  state: EnumCodes;
  endReason: EnumCodes;
  sourceKind: EnumCodes;
  tunnelType: EnumCodes;
}

function enumCodes(codes: ReadonlyMap<number, EnumCodes>, column: number): EnumCodes {
  const found = codes.get(column);
  if (!found) throw new Error(`flows.${FLOW_COLUMNS[column][0]} is not an ENUM: the schema is not current`);
  return found;
}

function code(codes: EnumCodes, value: string): number {
  const found = codes.get(value);
  if (found === undefined) throw new RangeError(`not a known value: ${value}`);
  return found;
}

/** Writes one record into row `r`, column by column in FLOW_COLUMNS order (ingest_id per chunk). */
function writeRow(
  k: ChunkColumns,
  r: number,
  f: StoredFlow,
  address: (text: string) => Address,
  enums: Enums,
): void {
  const src = address(f.srcIp);
  const dst = address(f.dstIp);
  k.setString(C.community_id, r, f.communityId);
  k.u8[C.protocol][r] = u8Checked(f.protocol);
  k.u8[C.ip_version][r] = u8Checked(f.ipVersion);
  if (src.text) k.setWords(C.src_ip, r, src.text);
  else k.setString(C.src_ip, r, f.srcIp);
  if (dst.text) k.setWords(C.dst_ip, r, dst.text);
  else k.setString(C.dst_ip, r, f.dstIp);
  k.setWords(C.src_addr, r, src.words);
  k.setWords(C.dst_addr, r, dst.words);
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
  k.u8[C.state][r] = code(enums.state, f.state);
  k.u8[C.end_reason][r] = code(enums.endReason, f.endReason);
  k.u32[C.fragments][r] = u32Checked(f.fragments);
  if (f.tunnel !== undefined) {
    k.u8[C.tunnel_type][r] = code(enums.tunnelType, f.tunnel.type);
    k.setValid(C.tunnel_type, r);
    optionalU32(k, C.tunnel_id, r, f.tunnel.id);
  }
  k.u8[C.source_kind][r] = code(enums.sourceKind, f.sourceKind);
  // Flow-export and enrichment fields: absent (NULL) in most records, so one test skips them.
  if (
    f.exporter !== undefined ||
    f.samplingRate !== undefined ||
    f.rawPackets !== undefined ||
    f.rawBytes !== undefined ||
    f.inputIf !== undefined ||
    f.outputIf !== undefined ||
    f.application !== undefined ||
    f.sni !== undefined ||
    f.httpHost !== undefined ||
    f.dnsName !== undefined ||
    f.srcCountry !== undefined ||
    f.dstCountry !== undefined ||
    f.srcAsn !== undefined ||
    f.dstAsn !== undefined ||
    f.srcAsName !== undefined ||
    f.dstAsName !== undefined
  ) {
    writeOptional(k, r, f);
  }
}

function writeOptional(k: ChunkColumns, r: number, f: StoredFlow): void {
  optionalString(k, C.exporter, r, f.exporter);
  optionalU32(k, C.sampling_rate, r, f.samplingRate);
  optionalU64(k, C.raw_packets, r, f.rawPackets);
  optionalU64(k, C.raw_bytes, r, f.rawBytes);
  optionalU32(k, C.input_if, r, f.inputIf);
  optionalU32(k, C.output_if, r, f.outputIf);
  optionalString(k, C.application, r, f.application);
  optionalString(k, C.sni, r, f.sni);
  optionalString(k, C.http_host, r, f.httpHost);
  optionalString(k, C.dns_name, r, f.dnsName);
  optionalString(k, C.src_country, r, f.srcCountry);
  optionalString(k, C.dst_country, r, f.dstCountry);
  optionalU32(k, C.src_asn, r, f.srcAsn);
  optionalU32(k, C.dst_asn, r, f.dstAsn);
  optionalString(k, C.src_as_name, r, f.srcAsName);
  optionalString(k, C.dst_as_name, r, f.dstAsName);
}

function optionalString(k: ChunkColumns, column: number, r: number, value: string | undefined): void {
  if (value === undefined) return;
  k.setString(column, r, value);
  k.setValid(column, r);
}

function optionalU32(k: ChunkColumns, column: number, r: number, value: number | undefined): void {
  if (value === undefined) return;
  k.u32[column][r] = u32Checked(value);
  k.setValid(column, r);
}

function optionalU64(k: ChunkColumns, column: number, r: number, value: number | undefined): void {
  if (value === undefined) return;
  k.setU64(column, r, value);
  k.setValid(column, r);
}
