/**
 * Flow search: the flows of a range matching a filter, sorted, one page at a time by keyset
 * pagination. The cursor is opaque to callers (base64url JSON of the sort, the direction, the
 * last row's sort key and its row id as tiebreaker); the next page starts strictly after that
 * row, so pages never overlap or skip rows even when sort keys tie, and no page costs an OFFSET.
 *
 * The tiebreaker is DuckDB's `rowid`: stable while the table is only appended to. Retention
 * deletes may renumber rows at a checkpoint, so a cursor is for paging now, not a bookmark.
 */
import type { FlowStore, StoreParam, StoreRow } from '../store.js';
import { usage } from './errors.js';
import { FLOW_ROW_COLUMNS, type FlowRow, toFlowRow } from './flow-row.js';
import type { TimeRange } from './range.js';
import { type FilterInput, overlaps, selection } from './selection.js';
import { ident, join, type Sql, sql, timestamp } from './sql.js';
import { checkLimit } from './top.js';
import { num } from './values.js';

export const SORT_FIELDS = ['first_ts', 'last_ts', 'bytes', 'packets', 'duration'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortDirection = 'asc' | 'desc';

interface SortSpec {
  /** Expression to ORDER BY. */
  order: string;
  /** Exact integer form of the sort value, stored in the cursor. */
  key: string;
  /** SQL comparable with `order` for a cursor value. */
  bound(value: number): Sql;
}

const TIMESTAMP_FROM_MICROS = (value: number) => sql`make_timestamp(CAST(${value} AS BIGINT))`;
const PLAIN = (value: number) => sql`${value}`;
const DURATION = "date_diff('microsecond', first_ts, last_ts)";

const SORTS: Record<SortField, SortSpec> = {
  first_ts: { order: 'first_ts', key: 'epoch_us(first_ts)', bound: TIMESTAMP_FROM_MICROS },
  last_ts: { order: 'last_ts', key: 'epoch_us(last_ts)', bound: TIMESTAMP_FROM_MICROS },
  bytes: { order: 'bytes', key: 'bytes', bound: PLAIN },
  packets: { order: 'packets', key: 'packets', bound: PLAIN },
  duration: { order: DURATION, key: DURATION, bound: PLAIN },
};

export interface SearchOptions {
  range: TimeRange;
  filter?: FilterInput;
  /** Default first_ts. */
  sort?: SortField;
  /** Default desc (newest or largest first). */
  direction?: SortDirection;
  /** Rows per page, 1–10000; default 100. */
  limit?: number;
  /** `next` of the previous page; must come from the same sort and direction. */
  after?: string;
  /** Aborting it interrupts the store's query (the promise rejects with its reason). */
  signal?: AbortSignal;
}

export interface SearchResult {
  flows: FlowRow[];
  /** Cursor for the following page; absent on the last page. */
  next?: string;
}

interface Cursor {
  s: SortField;
  d: SortDirection;
  /** Sort key of the last row. */
  v: number;
  /** rowid of the last row. */
  r: number;
}

export function isSortField(value: string): value is SortField {
  return (SORT_FIELDS as readonly string[]).includes(value);
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Throws a usage error for anything that is not a cursor of this sort and direction. */
export function decodeCursor(text: string, sort: SortField, direction: SortDirection): Cursor {
  let cursor: Partial<Cursor> | undefined;
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    cursor = undefined;
  }
  if (
    cursor === undefined ||
    cursor === null ||
    typeof cursor.v !== 'number' ||
    !Number.isFinite(cursor.v) ||
    !Number.isSafeInteger(cursor.r)
  ) {
    throw usage('invalid cursor: pass the "next" value of a previous page unchanged');
  }
  if (cursor.s !== sort || cursor.d !== direction) {
    throw usage(`the cursor belongs to a search sorted by ${cursor.s} ${cursor.d}, not ${sort} ${direction}`);
  }
  return cursor as Cursor;
}

/** Shares of the range the first_ts windows span, before the last step reads it all. */
const WINDOW_SHARES = [1 / 64, 1 / 8];

/**
 * For a search by first_ts: windows of growing length at the end the page starts from (the
 * range's end, or the cursor's time, for `desc`; its start for `asc`), then no window. Any
 * limit+1 rows that one window yields are the search's first limit+1: every row outside the
 * window sorts after every row in it. So a page of frequent matches reads the last minutes of a
 * day instead of the whole day, and a rare one costs about 1/64 + 1/8 more than one full read.
 */
function firstTsWindows(
  range: TimeRange,
  direction: SortDirection,
  cursorMicros: number | undefined,
): (Sql | undefined)[] {
  const span = range.to - range.from;
  if (!(Number.isFinite(span) && span > 0)) return [undefined];
  const cursor = cursorMicros === undefined ? undefined : cursorMicros / 1e6;
  const end = cursor === undefined ? range.to : Math.min(range.to, cursor);
  const start = cursor === undefined ? range.from : Math.max(range.from, cursor);
  const windows = WINDOW_SHARES.map((share) =>
    direction === 'desc'
      ? sql`first_ts >= ${timestamp(end - share * span)}`
      : sql`first_ts < ${timestamp(start + share * span)}`,
  );
  return [...windows, undefined];
}

export async function searchFlows(store: FlowStore, options: SearchOptions): Promise<SearchResult> {
  const sort = options.sort ?? 'first_ts';
  const direction = options.direction ?? 'desc';
  if (!isSortField(sort)) throw usage(`cannot sort by "${sort}" (one of ${SORT_FIELDS.join(', ')})`);
  if (direction !== 'asc' && direction !== 'desc')
    throw usage(`direction must be asc or desc, got "${direction}"`);
  const limit = checkLimit(options.limit, 100);
  const spec = SORTS[sort];
  const order = ident(spec.order);
  const dir = ident(direction === 'desc' ? 'DESC' : 'ASC');
  const beyond = ident(direction === 'desc' ? '<' : '>');

  let where = selection(options.range, options.filter);
  let cursorValue: number | undefined;
  if (options.after !== undefined) {
    const cursor = decodeCursor(options.after, sort, direction);
    cursorValue = cursor.v;
    const bound = spec.bound(cursor.v);
    where = sql`${where} AND (${order} ${beyond} ${bound} OR (${order} = ${spec.bound(cursor.v)} AND rowid ${beyond} ${cursor.r as StoreParam}))`;
  }
  // Two steps: the page's sort keys and row ids first, then its full rows by row id. DuckDB
  // 1.5 sorts whole rows in a top-N, so one step costs seconds on a 10M-flow store when the
  // sort key cannot prune by time (bench/query-bench.mjs); the second step prunes by the
  // page's key span.
  let keys: StoreRow[] = [];
  for (const window of sort === 'first_ts'
    ? firstTsWindows(options.range, direction, cursorValue)
    : [undefined]) {
    const bounded = window === undefined ? where : sql`${where} AND ${window}`;
    const keysSql = sql`SELECT ${ident(spec.key)} AS sort_key, rowid AS row_id
FROM flows WHERE ${bounded} ORDER BY ${order} ${dir}, rowid ${dir} LIMIT ${limit + 1}`;
    keys = await store.query(keysSql.text, keysSql.params, { signal: options.signal });
    if (keys.length > limit) break;
  }
  const pageKeys = keys.slice(0, limit);
  const byRow = new Map<number, StoreRow>();
  if (pageKeys.length > 0) {
    const values = pageKeys.map((k) => num(k.sort_key));
    const lo = spec.bound(Math.min(...values));
    const hi = spec.bound(Math.max(...values));
    const ids = join(
      pageKeys.map((k) => sql`${num(k.row_id)}`),
      ', ',
    );
    const rowsSql = sql`SELECT ${FLOW_ROW_COLUMNS}, rowid AS row_id FROM flows
WHERE ${overlaps(options.range)} AND ${order} BETWEEN ${lo} AND ${hi} AND rowid IN (${ids})`;
    for (const row of await store.query(rowsSql.text, rowsSql.params, { signal: options.signal }))
      byRow.set(num(row.row_id), row);
  }
  // A row deleted (retention) between the two steps is left out; the cursor still holds.
  const page: StoreRow[] = [];
  for (const k of pageKeys) {
    const row = byRow.get(num(k.row_id));
    if (row !== undefined) page.push(row);
  }
  const last = pageKeys[pageKeys.length - 1];
  const next =
    keys.length > limit && last !== undefined
      ? encodeCursor({ s: sort, d: direction, v: num(last.sort_key), r: num(last.row_id) })
      : undefined;
  return { flows: page.map(toFlowRow), ...(next === undefined ? {} : { next }) };
}
