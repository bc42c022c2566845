/**
 * Reading fields out of decoded MMDB records whatever their schema: MaxMind GeoIP2/GeoLite2 and
 * DB-IP (`country.iso_code`, `city.names.en`, `location.latitude`,
 * `autonomous_system_number`) or ip-location-db (`country_code`, `city`, `state1`, `latitude`).
 */
import type { MmdbMap, MmdbValue } from './mmdb-reader.js';

export function asMap(value: MmdbValue | undefined): MmdbMap | undefined {
  if (typeof value !== 'object' || value instanceof Uint8Array || Array.isArray(value)) return undefined;
  return value;
}

export function field(value: MmdbValue | undefined, ...keys: string[]): MmdbValue | undefined {
  let current = value;
  for (const key of keys) {
    const map = asMap(current);
    if (!map || !Object.hasOwn(map, key)) return undefined;
    current = map[key];
  }
  return current;
}

export function text(value: MmdbValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function num(value: MmdbValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A MaxMind `names` map in English, else the first language present. */
export function englishName(names: MmdbValue | undefined): string | undefined {
  const map = asMap(names);
  if (!map) return undefined;
  return (
    text(map.en) ??
    Object.values(map)
      .map(text)
      .find((name) => name !== undefined)
  );
}
