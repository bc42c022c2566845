/**
 * DuckDB values ↔ the store's row contract (store.ts StoreValue/StoreParam). Results convert with
 * one converter per type id; parameters bind by JS type. This is the only file that knows how
 * DuckDB's Node client represents values.
 */
import {
  arrayFromArrayValue,
  arrayFromListValue,
  booleanFromValue,
  type DuckDBDateValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  doubleFromDecimalValue,
  numberFromValue,
  objectFromStructValue,
  stringFromValue,
} from '@duckdb/node-api';
import type { StoreParam, StoreValue } from '../store.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** A bigint as a number when exact, else unchanged. */
function integerFromValue(value: DuckDBValue): number | bigint {
  const n = value as bigint;
  return n <= MAX_SAFE && n >= MIN_SAFE ? Number(n) : n;
}

/** TIMESTAMP → seconds since the epoch, as FlowRecord holds them. */
function secondsFromTimestamp(value: DuckDBValue): number {
  return Number((value as { micros: bigint }).micros) / 1e6;
}

function isoDate(value: DuckDBValue): string {
  const parts = (value as DuckDBDateValue).toParts();
  return `${parts.year}-${String(parts.month).padStart(2, '0')}-${String(parts.day).padStart(2, '0')}`;
}

const asText = (value: DuckDBValue) => String(value);

type Converter = DuckDBValueConverter<Exclude<StoreValue, null>>;
const converters: Partial<Record<DuckDBTypeId, Converter>> = {
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.BIGINT]: integerFromValue,
  [DuckDBTypeId.UBIGINT]: integerFromValue,
  [DuckDBTypeId.HUGEINT]: integerFromValue,
  [DuckDBTypeId.UHUGEINT]: integerFromValue,
  [DuckDBTypeId.FLOAT]: numberFromValue,
  [DuckDBTypeId.DOUBLE]: numberFromValue,
  [DuckDBTypeId.DECIMAL]: doubleFromDecimalValue,
  [DuckDBTypeId.TIMESTAMP]: secondsFromTimestamp,
  [DuckDBTypeId.TIMESTAMP_TZ]: secondsFromTimestamp,
  [DuckDBTypeId.DATE]: isoDate,
  [DuckDBTypeId.VARCHAR]: stringFromValue,
  [DuckDBTypeId.ENUM]: stringFromValue,
  [DuckDBTypeId.UUID]: stringFromValue,
  [DuckDBTypeId.INTERVAL]: asText,
  [DuckDBTypeId.TIME]: asText,
  [DuckDBTypeId.LIST]: arrayFromListValue as Converter,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue as Converter,
  [DuckDBTypeId.STRUCT]: objectFromStructValue as Converter,
  [DuckDBTypeId.SQLNULL]: () => null,
};

/** Converts result values to StoreValue; types not listed come back as their text form. */
export const STORE_VALUE_CONVERTER: Converter = (value, type, converter) =>
  value == null ? null : (converters[type.typeId] ?? asText)(value, type, converter);

/** The current time as a TIMESTAMP parameter (UTC, whatever the session's time zone). */
export function nowTimestamp(): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Date.now()) * 1000n);
}

/** Parameters as the client binds them (see StoreParam). */
export function bindParams(params: readonly StoreParam[] | undefined): DuckDBValue[] | undefined {
  if (!params || params.length === 0) return undefined;
  return params.map((p) => p as DuckDBValue);
}
