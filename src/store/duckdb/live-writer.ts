/**
 * The live write path (`writeFlows`: the collector, live capture): each batch is one transaction
 * on a connection of its own, holding the batch's flows and its rollup rows, so flows and
 * rollups never disagree and a failed batch leaves nothing behind.
 *
 * Flows go straight into `flows` through an appender flushed inside the transaction. The batch's
 * rollup rows are summed here while the batch is in hand (one pass, a map keyed by bucket and
 * rollup columns; the 5 min and 1 h rows are sums of the 1 min ones) and appended to
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

function rollupKey(bucketMicros: number, f: StoredFlow): string {
  return `${bucketMicros}|${f.protocol}|${f.ipVersion}|${f.dstPort}|${f.sourceKind}|${f.application}|${f.srcCountry}|${f.dstCountry}|${f.srcAsn}|${f.dstAsn}`;
}

/** The batch's finest-level rows. */
function sumFinest(batch: readonly StoredFlow[]): Map<string, RollupSum> {
  const sums = new Map<string, RollupSum>();
  for (const f of batch) {
    // The flow appender writes first_ts as Math.round(firstTs * 1e6): the same microseconds.
    const bucketMicros = bucketOf(Math.round(f.firstTs * 1e6), FINEST_MICROS);
    const key = rollupKey(bucketMicros, f);
    const sum = sums.get(key);
    if (sum === undefined)
      sums.set(key, { bucketMicros, flow: f, flows: 1, packets: f.packets, bytes: f.bytes });
    else {
      sum.flows++;
      sum.packets = add(sum.packets, f.packets);
      sum.bytes = add(sum.bytes, f.bytes);
    }
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
function coarser(finest: Iterable<RollupSum>, size: number): Map<string, RollupSum> {
  const sums = new Map<string, RollupSum>();
  for (const fine of finest) {
    const bucketMicros = bucketOf(fine.bucketMicros, size);
    const key = rollupKey(bucketMicros, fine.flow);
    const sum = sums.get(key);
    if (sum === undefined) sums.set(key, { ...fine, bucketMicros });
    else {
      sum.flows += fine.flows;
      sum.packets = add(sum.packets, fine.packets);
      sum.bytes = add(sum.bytes, fine.bytes);
    }
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
