/**
 * The ASN data installed by `npm ci`: ip-location-db's asn CSV (RouteViews, RIR statistics via
 * the NRO, and DB-IP IP to ASN Lite; all CC BY 4.0, attribution required).
 *
 * Parsing the CSVs (≈30 MB) takes ≈0.7 s, so the build (`npm run build`, hence `npm ci`) also
 * writes the parsed tables beside this module (`writeBundledAsnCache`). They carry a stamp of the
 * package version and file sizes; a missing, stale or damaged cache is ignored and the CSVs are
 * parsed as before.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { builtFile } from '../../shared/index.js';
import type { AsInfo, IpDatabase } from '../enricher.js';
import { bundledFile } from '../mmdb/index.js';
import { asnRangeDatabase, loadAsnCsvTables } from './asn-csv.js';
import { RangeTable } from './range-table.js';

export const BUNDLED_ASN_PACKAGE = '@ip-location-db/asn';

export const BUNDLED_ASN_ATTRIBUTION =
  'ASN data: ip-location-db asn (https://github.com/sapics/ip-location-db), built from ' +
  'RouteViews (CC BY 4.0, https://www.routeviews.org/), NRO RIR statistics (CC BY 4.0, https://www.nro.net/) ' +
  'and IP to ASN Lite by DB-IP (CC BY 4.0, https://db-ip.com/)';

const CSV_FILES = ['asn-ipv4-num.csv', 'asn-ipv6.csv'] as const;

/** Where the build puts the parsed tables: beside the compiled module. */
export const BUNDLED_ASN_CACHE_FILES = [
  builtFile('enrich/asn/bundled-asn-ipv4.bin'),
  builtFile('enrich/asn/bundled-asn-ipv6.bin'),
] as const;

/** Package version and CSV sizes: a cache built from other files does not load. */
async function bundledStamp(files: readonly string[]): Promise<string> {
  const manifest = JSON.parse(await readFile(bundledFile(BUNDLED_ASN_PACKAGE, 'package.json'), 'utf8'));
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  return `${BUNDLED_ASN_PACKAGE}@${manifest.version}:${sizes.join(':')}`;
}

async function readCached(file: string, stamp: string): Promise<RangeTable | undefined> {
  try {
    return RangeTable.decode(await readFile(file), stamp);
  } catch {
    return undefined;
  }
}

export async function openBundledAsn(): Promise<IpDatabase<AsInfo>> {
  const files = CSV_FILES.map((name) => bundledFile(BUNDLED_ASN_PACKAGE, name));
  const path = files.join(', ');
  const stamp = await bundledStamp(files).catch(() => '');
  if (stamp) {
    const [v4, v6] = await Promise.all(BUNDLED_ASN_CACHE_FILES.map((file) => readCached(file, stamp)));
    if (v4 && v6) return asnRangeDatabase(v4, v6, path, 'CSV, parsed at build time');
  }
  const [v4, v6] = await loadAsnCsvTables(files[0], files[1]);
  return asnRangeDatabase(v4, v6, path, 'CSV');
}

/** Parses the bundled CSVs and writes the cache files (atomically); returns their paths. */
export async function writeBundledAsnCache(
  targets: readonly string[] = BUNDLED_ASN_CACHE_FILES,
): Promise<string[]> {
  const files = CSV_FILES.map((name) => bundledFile(BUNDLED_ASN_PACKAGE, name));
  const stamp = await bundledStamp(files);
  const tables = await loadAsnCsvTables(files[0], files[1]);
  await Promise.all(
    tables.map(async (table, i) => {
      if (!table) return;
      const temporary = `${targets[i]}.${process.pid}.tmp`;
      await writeFile(temporary, table.encode(stamp));
      await rename(temporary, targets[i]);
    }),
  );
  return [...targets];
}
