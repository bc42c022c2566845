/**
 * Country and city from a MaxMind DB: GeoIP2/GeoLite2 Country or City, DB-IP country/city lite,
 * or the bundled ip-location-db country database. City, region and coordinates appear when the
 * file has them.
 */
import type { GeoInfo, IpDatabase } from '../enricher.js';
import {
  createMmdbReader,
  englishName,
  field,
  type MmdbValue,
  mmdbDatabase,
  num,
  readDatabaseFile,
  text,
} from '../mmdb/index.js';

export function geoFromRecord(record: MmdbValue): GeoInfo {
  const country =
    text(field(record, 'country', 'iso_code')) ??
    text(field(record, 'country_code')) ??
    text(field(record, 'registered_country', 'iso_code'));
  const geo: GeoInfo = {};
  if (country) geo.country = country.toUpperCase();
  const city = englishName(field(record, 'city', 'names')) ?? text(field(record, 'city'));
  if (city) geo.city = city;
  const subdivisions = field(record, 'subdivisions');
  const region =
    (Array.isArray(subdivisions) ? englishName(field(subdivisions[0], 'names')) : undefined) ??
    text(field(record, 'state1'));
  if (region) geo.region = region;
  const latitude = num(field(record, 'location', 'latitude')) ?? num(field(record, 'latitude'));
  const longitude = num(field(record, 'location', 'longitude')) ?? num(field(record, 'longitude'));
  if (latitude !== undefined && longitude !== undefined) {
    geo.latitude = latitude;
    geo.longitude = longitude;
  }
  return geo;
}

/** Reads a country or city .mmdb. */
export async function openGeoDatabase(file: string): Promise<IpDatabase<GeoInfo>> {
  const reader = createMmdbReader(await readDatabaseFile(file, 'GeoIP database'), file);
  return mmdbDatabase(reader, file, (record) => {
    const geo = geoFromRecord(record);
    return geo.country || geo.city ? geo : undefined;
  });
}
