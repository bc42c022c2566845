/**
 * AS numbers from an ASN .mmdb: MaxMind GeoLite2-ASN/GeoIP2 ISP, DB-IP ASN lite and
 * ip-location-db asn-mmdb all use `autonomous_system_number` and
 * `autonomous_system_organization`.
 */
import type { AsInfo, IpDatabase } from '../enricher.js';
import {
  createMmdbReader,
  field,
  type MmdbValue,
  mmdbDatabase,
  readDatabaseFile,
  text,
} from '../mmdb/index.js';

export function asFromRecord(record: MmdbValue): AsInfo | undefined {
  const asn = field(record, 'autonomous_system_number');
  const number = typeof asn === 'bigint' ? Number(asn) : asn;
  if (typeof number !== 'number' || !Number.isInteger(number)) return undefined;
  const asName = text(field(record, 'autonomous_system_organization'));
  return asName ? { asn: number, asName } : { asn: number };
}

export async function openAsnMmdb(file: string): Promise<IpDatabase<AsInfo>> {
  const reader = createMmdbReader(await readDatabaseFile(file, 'ASN database'), file);
  return mmdbDatabase(reader, file, asFromRecord);
}
