/**
 * The live write path (`writeFlows`: the collector, live capture): each batch is one transaction
 * on a connection of its own, holding the batch's flows and its rollup rows, so flows and
 * rollups never disagree and a failed batch leaves nothing behind.
 *
 * Flows go straight into `flows` through an appender flushed inside the transaction. The batch's
 * rollup rows are summed here while the batch is in hand (one pass, keyed by bucket and rollup
 * columns; the 5 min and 1 h rows are sums of the 1 min ones) and appended to
 * `flows_1m`, `flows_5m` and `flows_1h`: no staging table, no statement per level. They are
 * exact: the keys are the values the flow appender writes, buckets are the same integer
 * arithmetic on the same microseconds as rollups.ts's SQL (`epoch_us(first_ts) // size * size`,
 * truncating), and sums are numbers while they are safe integers, BigInt past that.
 *
 * The address rollup (HOST_ROLLUP) is summed the same way, per day, address text and side, and
 * appended to its table. Its rows pile up per batch (a day's busy addresses reappear in every
 * batch), so once `hostCompactRows` rows were appended the writer merges the live rows of the
 * buckets it touched since the last merge, in a transaction of its own after the batch's commit
 * (compactLiveHostRollup). The same sums, without their day, are appended to the address totals
 * (HOST_TOTALS), merged when due after that merge (compactHostTotalsAfterWrite). A failed merge
 * is rolled back and retried after the next batch: the rows are exact either way, only more
 * numerous.
 *
 * Contract: one batch at a time (the caller chains them); a rejected batch is rolled back whole.
 */
import {
  type DuckDBAppender,
  DuckDBDataChunk,
  type DuckDBInstance,
  DuckDBTimestampValue,
} from '@duckdb/node-api';
import { ERR, FlowlensError } from '../../shared/index.js';
import { HOST_ROLLUP, HOST_SIDES, HOST_TOTALS, ROLLUP_LEVELS } from '../rollups.js';
import type { StoredFlow } from '../store.js';
import { CHUNK_ROWS, ChunkColumns, type ColumnSpec } from './chunk-columns.js';
import { createFlowAppender, type FlowAppender } from './flow-appender.js';
import { compactHostTotalsAfterWrite, compactLiveHostRollup } from './rollups.js';

export interface LiveWriter {
  write(batch: readonly StoredFlow[]): Promise<void>;
  close(): void;
}

/** One rollup row being summed: the key values of its first flow, and the three sums. */
interface RollupSum {
  bucketMicros: number;
  flow: StoredFlow;
  flows: number;
  packets: number | bigint;
  bytes: number | bigint;
}

/** One address rollup row being summed. */
interface HostSum {
  bucketMicros: number;
  ip: string;
  side: number;
  flows: number;
  packets: number | bigint;
  bytes: number | bigint;
}

const FINEST_MICROS = ROLLUP_LEVELS[0].seconds * 1_000_000;
const HOST_MICROS = HOST_ROLLUP.seconds * 1_000_000;
/** Address rollup rows appended between two merges of the live rows, by default. */
const HOST_COMPACT_ROWS = 250_000;

export async function createLiveWriter(
  instance: DuckDBInstance,
  hostCompactRows = HOST_COMPACT_ROWS,
): Promise<LiveWriter> {
  const connection = await instance.connect();
  let open:
    | { flows: FlowAppender; rollups: DuckDBAppender[]; hosts: HostAppender; totals: HostAppender }
    | undefined;
  const appenders = async () => {
    open ??= {
      flows: createFlowAppender(await connection.createAppender('flows')),
      rollups: await Promise.all(ROLLUP_LEVELS.map(({ table }) => connection.createAppender(table))),
      hosts: createHostAppender(await connection.createAppender(HOST_ROLLUP.table), DAILY_COLUMNS),
      totals: createHostAppender(await connection.createAppender(HOST_TOTALS.table), TOTAL_COLUMNS),
    };
    return open;
  };
  /** Address rollup rows appended since the last merge, and the oldest bucket they touched. */
  let hostRowsSinceCompaction = 0;
  let oldestHostBucket = Number.POSITIVE_INFINITY;
  const closeAppenders = () => {
    if (!open) return;
    open.flows.close();
    for (const appender of open.rollups) appender.closeSync();
    open.hosts.appender.closeSync();
    open.totals.appender.closeSync();
    open = undefined;
  };
  const compact = async () => {
    // The appenders hold no rows after a commit; they are reopened by the next batch.
    closeAppenders();
    await connection.run('BEGIN TRANSACTION');
    try {
      await compactLiveHostRollup(connection, new DuckDBTimestampValue(BigInt(oldestHostBucket)));
      await connection.run('COMMIT');
      hostRowsSinceCompaction = 0;
      oldestHostBucket = Number.POSITIVE_INFINITY;
    } catch {
      await connection.run('ROLLBACK').catch(() => undefined);
    }
    await compactHostTotalsAfterWrite(connection);
  };
  /** After a failure: rows not yet flushed are dropped with the appenders; new ones next time. */
  const discard = () => {
    if (!open) return;
    const { flows, rollups, hosts, totals } = open;
    open = undefined;
    try {
      flows.discard();
    } catch {}
    for (const appender of [...rollups, hosts.appender, totals.appender]) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {}
    }
  };

  return {
    async write(batch) {
      if (batch.length === 0) return;
      const { flows, rollups, hosts, totals } = await appenders();
      let hostRows = 0;
      let oldest = oldestHostBucket;
      await connection.run('BEGIN TRANSACTION');
      try {
        flows.append(batch, null);
        flows.flush();
        const finest = sumFinest(batch);
        appendRollups(rollups[0], finest.values());
        for (let level = 1; level < ROLLUP_LEVELS.length; level++) {
          const micros = ROLLUP_LEVELS[level].seconds * 1_000_000;
          appendRollups(rollups[level], coarser(finest.values(), micros).values());
        }
        for (const sum of sumHosts(batch)) {
          hosts.append(sum);
          totals.append(sum);
          hostRows++;
          oldest = Math.min(oldest, sum.bucketMicros);
        }
        hosts.emit();
        totals.emit();
        for (const appender of [...rollups, hosts.appender, totals.appender]) appender.flushSync();
        await connection.run('COMMIT');
      } catch (error) {
        discard();
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error instanceof RangeError ? error : storeError(error);
      }
      hostRowsSinceCompaction += hostRows;
      oldestHostBucket = oldest;
      if (hostRowsSinceCompaction >= hostCompactRows) await compact();
    },
    close() {
      closeAppenders();
      connection.closeSync();
    },
  };
}

/** `micros` rounded toward zero to a multiple of `size`, as DuckDB's integer `//` does. */
function bucketOf(micros: number, size: number): number {
  return micros - (micros % size);
}

/**
 * Rollup rows by bucket and key. A number made of the bucket, destination port and protocol
 * picks a short list; the bucket and the other key columns are compared as values (undefined is
 * NULL).
 */
class RollupSums {
  private readonly lists = new Map<number, RollupSum[]>();

  constructor(private readonly size: number) {}

  add(
    bucketMicros: number,
    flow: StoredFlow,
    flows: number,
    packets: number | bigint,
    bytes: number | bigint,
  ) {
    // Ports and protocols were checked by the flow appender: 16 and 8 bits.
    const key = (bucketMicros / this.size) * 16_777_216 + flow.dstPort * 256 + flow.protocol;
    let list = this.lists.get(key);
    if (list === undefined) {
      list = [];
      this.lists.set(key, list);
    }
    for (const sum of list) {
      if (sum.bucketMicros === bucketMicros && sameKey(sum.flow, flow)) {
        sum.flows += flows;
        sum.packets = addExact(sum.packets, packets);
        sum.bytes = addExact(sum.bytes, bytes);
        return;
      }
    }
    list.push({ bucketMicros, flow, flows, packets, bytes });
  }

  *values(): Generator<RollupSum> {
    for (const list of this.lists.values()) yield* list;
  }
}

/** The key columns other than bucket, protocol and destination port (ingest_id is NULL). */
function sameKey(a: StoredFlow, b: StoredFlow): boolean {
  return (
    a.ipVersion === b.ipVersion &&
    a.sourceKind === b.sourceKind &&
    a.application === b.application &&
    a.srcCountry === b.srcCountry &&
    a.dstCountry === b.dstCountry &&
    a.srcAsn === b.srcAsn &&
    a.dstAsn === b.dstAsn
  );
}

/** The batch's finest-level rows. */
function sumFinest(batch: readonly StoredFlow[]): RollupSums {
  const sums = new RollupSums(FINEST_MICROS);
  for (const f of batch) {
    // The flow appender writes first_ts as Math.round(firstTs * 1e6): the same microseconds.
    sums.add(bucketOf(Math.round(f.firstTs * 1e6), FINEST_MICROS), f, 1, f.packets, f.bytes);
  }
  return sums;
}

/** Exact: numbers while the sum is a safe integer, BigInt past it. */
function addExact(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (sum <= Number.MAX_SAFE_INTEGER) return sum;
  }
  return BigInt(a) + BigInt(b);
}

/** Rows of a coarser level from the finest ones (each size divides the next). */
function coarser(finest: Iterable<RollupSum>, size: number): RollupSums {
  const sums = new RollupSums(size);
  for (const fine of finest) {
    sums.add(bucketOf(fine.bucketMicros, size), fine.flow, fine.flows, fine.packets, fine.bytes);
  }
  return sums;
}

/** The batch's address rollup rows: per day, address text and side (store/rollups.ts). */
function* sumHosts(batch: readonly StoredFlow[]): Generator<HostSum> {
  // Per bucket, per address: its sums by side (index = side). A batch spans one day or two.
  const buckets = new Map<number, Map<string, (HostSum | undefined)[]>>();
  let lastBucket = Number.NaN;
  let addresses = new Map<string, (HostSum | undefined)[]>();
  const add = (bucketMicros: number, ip: string, side: number, f: StoredFlow) => {
    let sides = addresses.get(ip);
    if (sides === undefined) {
      sides = [undefined, undefined, undefined];
      addresses.set(ip, sides);
    }
    const sum = sides[side];
    if (sum === undefined) {
      sides[side] = { bucketMicros, ip, side, flows: 1, packets: f.packets, bytes: f.bytes };
    } else {
      sum.flows++;
      sum.packets = addExact(sum.packets, f.packets);
      sum.bytes = addExact(sum.bytes, f.bytes);
    }
  };
  for (const f of batch) {
    const bucket = bucketOf(Math.round(f.firstTs * 1e6), HOST_MICROS);
    if (bucket !== lastBucket) {
      let found = buckets.get(bucket);
      if (found === undefined) {
        found = new Map();
        buckets.set(bucket, found);
      }
      addresses = found;
      lastBucket = bucket;
    }
    add(bucket, f.srcIp, HOST_SIDES.source, f);
    add(bucket, f.dstIp, f.dstIp === f.srcIp ? HOST_SIDES.self : HOST_SIDES.destination, f);
  }
  for (const perAddress of buckets.values()) {
    for (const sides of perAddress.values()) {
      for (const sum of sides) if (sum !== undefined) yield sum;
    }
  }
}

interface HostAppender {
  readonly appender: DuckDBAppender;
  append(sum: HostSum): void;
  /** Hands the rows appended so far to the appender. */
  emit(): void;
}

/**
 * Where an address sum goes in a table's columns: the address rollup's (createHostRollupTable,
 * with its bucket and a NULL ingest id) or the address totals' (createHostTotalsTable, rows not
 * compacted). Column indexes, and the chunk layout of every column.
 */
interface HostColumns {
  specs: ColumnSpec[];
  bucket?: number;
  ingestId?: number;
  ip: number;
  side: number;
  flows: number;
  packets: number;
  bytes: number;
  compacted?: number;
}

const DAILY_COLUMNS: HostColumns = {
  specs: [
    { width: 8, nullable: false },
    { width: 'varchar', nullable: true },
    { width: 'varchar', nullable: false },
    { width: 1, nullable: false },
    { width: 8, nullable: false },
    { width: 8, nullable: false },
    { width: 8, nullable: false },
  ],
  bucket: 0,
  ingestId: 1,
  ip: 2,
  side: 3,
  flows: 4,
  packets: 5,
  bytes: 6,
};

const TOTAL_COLUMNS: HostColumns = {
  specs: [
    { width: 'varchar', nullable: false },
    { width: 1, nullable: false },
    { width: 8, nullable: false },
    { width: 8, nullable: false },
    { width: 8, nullable: false },
    { width: 1, nullable: false },
  ],
  ip: 0,
  side: 1,
  flows: 2,
  packets: 3,
  bytes: 4,
  compacted: 5,
};

/**
 * Address sums through data chunks (chunk-columns.ts), as the flow appender writes flows: a
 * batch holds thousands of addresses, and a native call per value would cost more than
 * everything else the live path does for them.
 */
function createHostAppender(appender: DuckDBAppender, layout: HostColumns): HostAppender {
  if (appender.columnCount !== layout.specs.length) {
    throw new Error(`address table has ${appender.columnCount} columns, expected ${layout.specs.length}`);
  }
  const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
  const columns = new ChunkColumns(layout.specs);
  const chunk = DuckDBDataChunk.create(types, CHUNK_ROWS);
  columns.attach(chunk);
  let row = 0;
  const emit = () => {
    if (row === 0) return;
    chunk.rowCount = row;
    // Live flows belong to no ingest.
    if (layout.ingestId !== undefined) columns.setConstant(layout.ingestId, null);
    columns.flushInto(row);
    appender.appendDataChunk(chunk);
    chunk.reset();
    columns.attach(chunk);
    row = 0;
  };
  return {
    appender,
    append(sum) {
      if (layout.bucket !== undefined) columns.setI64(layout.bucket, row, sum.bucketMicros);
      columns.setString(layout.ip, row, sum.ip);
      columns.u8[layout.side][row] = sum.side;
      columns.setI64(layout.flows, row, sum.flows);
      setCount(columns, layout.packets, row, sum.packets);
      setCount(columns, layout.bytes, row, sum.bytes);
      if (layout.compacted !== undefined) columns.u8[layout.compacted][row] = 0;
      if (++row === CHUNK_ROWS) emit();
    },
    emit,
  };
}

/** A BIGINT sum: a safe integer as is, a BigInt (past 2^53) as its two 32-bit words. */
function setCount(columns: ChunkColumns, column: number, row: number, value: number | bigint): void {
  if (typeof value === 'number') {
    columns.setI64(column, row, value);
    return;
  }
  if (value >= 2n ** 63n) throw new RangeError(`sum past BIGINT: ${value}`);
  const words = columns.u32[column];
  words[row * 2] = Number(value & 0xffff_ffffn);
  words[row * 2 + 1] = Number(value >> 32n);
}

/** Rows in rollups.ts's column order: bucket, the key columns, flows, packets, bytes. */
function appendRollups(appender: DuckDBAppender, sums: Iterable<RollupSum>): void {
  for (const sum of sums) {
    const f = sum.flow;
    appender.appendTimestamp(new DuckDBTimestampValue(BigInt(sum.bucketMicros)));
    appender.appendNull(); // ingest_id: live flows belong to no ingest
    appender.appendUTinyInt(f.protocol);
    appender.appendUTinyInt(f.ipVersion);
    appender.appendUSmallInt(f.dstPort);
    appender.appendVarchar(f.sourceKind);
    optionalText(appender, f.application);
    optionalText(appender, f.srcCountry);
    optionalText(appender, f.dstCountry);
    optionalUInteger(appender, f.srcAsn);
    optionalUInteger(appender, f.dstAsn);
    appender.appendBigInt(BigInt(sum.flows));
    appender.appendBigInt(BigInt(sum.packets));
    appender.appendBigInt(BigInt(sum.bytes));
    appender.endRow();
  }
}

function optionalText(appender: DuckDBAppender, value: string | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}

function optionalUInteger(appender: DuckDBAppender, value: number | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendUInteger(value);
}

function storeError(error: unknown): FlowlensError {
  if (error instanceof FlowlensError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FlowlensError(ERR.STORE, `writing flows failed: ${message.split('\n')[0]}`);
}
