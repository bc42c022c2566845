/**
 * An IpDatabase over an MMDB reader: records are decoded once and cached by their data offset,
 * since many networks share one record (a country database has a few hundred distinct records).
 */
import type { IpDatabase } from '../enricher.js';
import { Ipv4RangeList } from '../ranges/index.js';
import type { MmdbReader, MmdbValue } from './mmdb-reader.js';

/** Past this many distinct records (city databases) the record cache starts over. */
const RECORD_CACHE_LIMIT = 200_000;

/** Records convert through `convert`; undefined means the record holds nothing useful. */
export function mmdbDatabase<T>(
  reader: MmdbReader,
  file: string,
  convert: (record: MmdbValue) => T | undefined,
): IpDatabase<T> {
  const records = new Map<number, T | undefined>();
  const at = (offset: number): T | undefined => {
    if (offset < 0) return undefined;
    const cached = records.get(offset);
    if (cached !== undefined || records.has(offset)) return cached;
    if (records.size >= RECORD_CACHE_LIMIT) records.clear();
    const value = convert(reader.decode(offset));
    records.set(offset, value);
    return value;
  };
  const meta = reader.metadata;
  const built = new Date(meta.buildEpoch * 1000).toISOString().slice(0, 10);
  return {
    path: file,
    description: `${meta.databaseType || 'MaxMind DB'} (mmdb, built ${built})`,
    lookupIpv4: (ip) => at(reader.lookupIpv4(ip)),
    lookupIpv6: (bytes) => at(reader.lookupIpv6(bytes)),
    ipv4Value: at,
    ipv4Ranges() {
      // Ids are data-section offsets: one record (one cached value) per distinct offset.
      const list = new Ipv4RangeList(1 << 16);
      reader.forEachIpv4Network((start, end, offset) => list.add(start, end, offset));
      return { ...list.done(), value: at };
    },
  };
}
