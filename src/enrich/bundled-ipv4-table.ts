/**
 * The merged IPv4 table of the bundled databases (country MMDB and ASN CSV), made at build time:
 * merging them takes ≈0.2 s at each big run (walking the MMDB tree, then the three-way merge),
 * reading the merge back ≈10 ms. `npm run build` writes it beside this module
 * (scripts/build-ipv4-table-cache.mjs).
 *
 * Contract: the file carries a stamp of what it was made from (the two packages' versions and
 * file sizes, the merging code's compiled module, the special-purpose ranges); a missing, stale, truncated or malformed file (see
 * decodeIpv4Table's checks) is ignored and the table is merged as before. Only the bundled pair
 * uses it: any other database merges at run time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { builtFile } from '../shared/index.js';
import { BUNDLED_ASN_PACKAGE, openBundledAsn } from './asn/index.js';
import type { AsInfo, GeoInfo, IpDatabase } from './enricher.js';
import { BUNDLED_COUNTRY_PACKAGE, bundledCountryDatabase, openGeoDatabase } from './geoip/index.js';
import { buildIpv4Table, decodeIpv4Table, type Ipv4Table } from './ipv4-table.js';
import { bundledFile } from './mmdb/index.js';
import { SPECIAL_RANGES } from './ranges/index.js';

/** Where the build puts the table: beside the compiled module. */
export const BUNDLED_IPV4_TABLE_FILE = builtFile('enrich/bundled-ipv4-table.bin');

const ASN_CSV_FILES = ['asn-ipv4-num.csv', 'asn-ipv6.csv'];

async function packageStamp(name: string, files: string[]): Promise<string> {
  const manifest = JSON.parse(await readFile(bundledFile(name, 'package.json'), 'utf8')) as {
    version: string;
  };
  const sizes = await Promise.all(files.map(async (file) => (await stat(bundledFile(name, file))).size));
  return `${name}@${manifest.version}:${sizes.join(':')}`;
}

/**
 * The merging code's module (compiled, or its source under the tests), by a hash of its text: a
 * table made by other code is not read, while a rebuild that writes the same module again (tsc
 * rewrites every output) or a copy that changes file times keeps the table.
 */
async function codeStamp(): Promise<string> {
  for (const name of ['ipv4-table.js', 'ipv4-table.ts']) {
    try {
      const text = await readFile(builtFile(`enrich/${name}`));
      return `./${name}:${createHash('sha256').update(text).digest('hex')}`;
    } catch {
      // Try the other name.
    }
  }
  return '';
}

/** What the bundled table is made from; '' when a package is missing. */
export async function bundledIpv4TableStamp(): Promise<string> {
  try {
    const country = await packageStamp(BUNDLED_COUNTRY_PACKAGE, [path.basename(bundledCountryDatabase())]);
    const asn = await packageStamp(BUNDLED_ASN_PACKAGE, ASN_CSV_FILES);
    const code = await codeStamp();
    return `${country}|${asn}|${code}|${SPECIAL_RANGES.map((range) => range.cidr).join(',')}`;
  } catch {
    return '';
  }
}

/** The table the build made for `stamp`, its values read through the open bundled databases. */
export function readBundledIpv4Table(
  stamp: string,
  geo: IpDatabase<GeoInfo>,
  asn: IpDatabase<AsInfo>,
  file: string = BUNDLED_IPV4_TABLE_FILE,
): Ipv4Table | undefined {
  if (stamp === '') return undefined;
  try {
    return decodeIpv4Table(readFileSync(file), stamp, geo, asn);
  } catch {
    return undefined;
  }
}

/** Merges the bundled databases and writes the table (atomically); returns its path. */
export async function writeBundledIpv4Table(target: string = BUNDLED_IPV4_TABLE_FILE): Promise<string> {
  const stamp = await bundledIpv4TableStamp();
  if (stamp === '') throw new Error('the bundled country or ASN data is not installed');
  const [geo, asn] = await Promise.all([openGeoDatabase(bundledCountryDatabase()), openBundledAsn()]);
  const table = buildIpv4Table(geo.ipv4Ranges(), asn.ipv4Ranges());
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, table.encode(stamp));
  await rename(temporary, target);
  return target;
}
