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
 * Contract: one batch at a time (the caller chains them); a rejected batch is rolled back whole.
 */
import { type DuckDBAppender, type DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import { ERR, FlowlensError } from '../../shared/index.js';
import { ROLLUP_LEVELS } from '../rollups.js';
import type { StoredFlow } from '../store.js';
import { createFlowAppender, type FlowAppender } from './flow-appender.js';

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

const FINEST_MICROS = ROLLUP_LEVELS[0].seconds * 1_000_000;

export async function createLiveWriter(instance: DuckDBInstance): Promise<LiveWriter> {
  const connection = await instance.connect();
  let open: { flows: FlowAppender; rollups: DuckDBAppender[] } | undefined;
  const appenders = async () => {
    open ??= {
      flows: createFlowAppender(await connection.createAppender('flows')),
      rollups: await Promise.all(ROLLUP_LEVELS.map(({ table }) => connection.createAppender(table))),
    };
    return open;
  };
  /** After a failure: rows not yet flushed are dropped with the appenders; new ones next time. */
  const discard = () => {
    if (!open) return;
    const { flows, rollups } = open;
    open = undefined;
    try {
      flows.discard();
    } catch {}
    for (const appender of rollups) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {}
    }
  };

  return {
    async write(batch) {
      if (batch.length === 0) return;
      const { flows, rollups } = await appenders();
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
        for (const appender of rollups) appender.flushSync();
        await connection.run('COMMIT');
      } catch (error) {
        discard();
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error instanceof RangeError ? error : storeError(error);
      }
    },
    close() {
      if (open) {
        open.flows.close();
        for (const appender of open.rollups) appender.closeSync();
        open = undefined;
      }
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
        sum.packets = add(sum.packets, packets);
        sum.bytes = add(sum.bytes, bytes);
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
function add(a: number | bigint, b: number | bigint): number | bigint {
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
