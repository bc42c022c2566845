/**
 * MAC address → vendor from the IEEE registries (MA-L 24-bit, MA-M 28-bit, MA-S 36-bit
 * prefixes), as shipped by the `oui-data` npm package, and the address kind from its first
 * octet: the I/G bit (group) and the U/L bit (locally administered, IEEE 802-2014 §8.2).
 * Locally administered unicast addresses are what phones and laptops use as private (random)
 * MACs; they have no vendor.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { MacEnrichment } from '../../model/index.js';
import { builtFile, ERR, FlowlensError } from '../../shared/index.js';
import { bundledFile } from '../mmdb/index.js';

export const OUI_PACKAGE = 'oui-data';
export const OUI_ATTRIBUTION =
  'MAC vendors: IEEE Registration Authority registries via oui-data (BSD-2-Clause)';

/** Hex prefix (upper case, 6, 7 or 9 digits) → organisation, first line. */
export interface OuiTable {
  get(prefix: string): string | undefined;
  readonly size: number;
}

/** Reads the registry JSON (`{ "00000C": "Cisco Systems, Inc\n170 WEST…" }`). */
export function loadOuiTable(file = bundledFile(OUI_PACKAGE, 'index.json')): Map<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new FlowlensError(ERR.ENRICH_DB_OPEN, `cannot read MAC vendor registry ${file}: ${code}`);
    throw new FlowlensError(ERR.ENRICH_DB_INVALID, `${file}: MAC vendor registry is not JSON`);
  }
  if (typeof raw !== 'object' || raw === null) {
    throw new FlowlensError(ERR.ENRICH_DB_INVALID, `${file}: MAC vendor registry is not an object`);
  }
  const table = new Map<string, string>();
  for (const [prefix, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || !/^[0-9A-Fa-f]{6,9}$/.test(prefix)) continue;
    const name = value.split('\n', 1)[0].trim();
    if (name) table.set(prefix.toUpperCase(), name);
  }
  return table;
}

/**
 * Where the build (`scripts/build-oui-cache.mjs`) puts the registry's prefixes and first lines,
 * beside the compiled module: one stamp line, then `PREFIX<TAB>NAME` lines sorted by prefix.
 * Reading it costs a few milliseconds where parsing the 5.6 MB JSON costs 100-200 ms.
 */
export const BUNDLED_OUI_CACHE_FILE = builtFile('enrich/oui/bundled-oui.tsv');

/** Package version and JSON size: a cache built from another registry does not load. */
function bundledOuiStamp(): string {
  const manifest = JSON.parse(readFileSync(bundledFile(OUI_PACKAGE, 'package.json'), 'utf8')) as {
    version: string;
  };
  return `# ${OUI_PACKAGE}@${manifest.version}:${statSync(bundledFile(OUI_PACKAGE, 'index.json')).size}`;
}

/** Writes the bundled registry as the build cache (atomically); returns its path. */
export function writeBundledOuiCache(target = BUNDLED_OUI_CACHE_FILE): string {
  const rows = [...loadOuiTable()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = rows.map(([prefix, name]) => `${prefix}\t${name.replace(/[\t\r\n]/g, ' ')}`);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, `${bundledOuiStamp()}\n${lines.join('\n')}\n`);
  renameSync(temporary, target);
  return target;
}

/**
 * The build cache as an OuiTable (binary search over its sorted lines), or undefined when it is
 * missing, stale (another registry version) or damaged.
 */
export function openOuiCache(file = BUNDLED_OUI_CACHE_FILE, stamp?: string): OuiTable | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    const firstLine = text.indexOf('\n');
    if (firstLine < 0 || text.slice(0, firstLine) !== (stamp ?? bundledOuiStamp())) return undefined;
    const starts: number[] = [];
    for (let at = firstLine + 1; at < text.length; ) {
      const end = text.indexOf('\n', at);
      const tab = text.indexOf('\t', at);
      if (end < 0 || tab < 0 || tab > end) return undefined;
      starts.push(at);
      at = end + 1;
    }
    const lineStarts = Int32Array.from(starts);
    const prefixAt = (i: number) => text.slice(lineStarts[i], text.indexOf('\t', lineStarts[i]));
    return {
      size: lineStarts.length,
      get(prefix) {
        let low = 0;
        let high = lineStarts.length - 1;
        while (low <= high) {
          const middle = (low + high) >>> 1;
          const candidate = prefixAt(middle);
          if (candidate === prefix) {
            const tab = lineStarts[middle] + candidate.length;
            return text.slice(tab + 1, text.indexOf('\n', tab));
          }
          if (candidate < prefix) low = middle + 1;
          else high = middle - 1;
        }
        return undefined;
      },
    };
  } catch {
    return undefined;
  }
}

let bundled: OuiTable | undefined;

/**
 * The bundled registry, read once per process and shared (the enricher, the device inventory):
 * from the build cache when it matches the installed package, else from the package's JSON.
 */
export function bundledOuiTable(): OuiTable {
  bundled ??= openOuiCache() ?? loadOuiTable();
  return bundled;
}

/** Any of aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff, aabbccddeeff → 12 upper-case hex digits. */
export function normalizeMac(text: string): string | undefined {
  const trimmed = text.trim();
  if (
    !/^([0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\2[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}(\.[0-9A-Fa-f]{4}){2}|[0-9A-Fa-f]{12})$/.test(
      trimmed,
    )
  ) {
    return undefined;
  }
  return trimmed.replace(/[:.-]/g, '').toUpperCase();
}

function colonForm(hex: string, digits: number): string {
  const pairs =
    hex
      .slice(0, digits)
      .toLowerCase()
      .match(/.{1,2}/g) ?? [];
  return pairs.join(':');
}

function specialLabel(hex: string): string | undefined {
  if (hex === 'FFFFFFFFFFFF') return 'broadcast';
  if (hex === '000000000000') return 'null';
  if (hex.startsWith('01005E')) return 'ipv4-multicast';
  if (hex.startsWith('3333')) return 'ipv6-multicast';
  if (hex.startsWith('0180C2')) return 'ieee-802.1-group';
  return undefined;
}

/** Vendor and kind of a MAC, or undefined when the text is not a MAC address. */
export function lookupMacIn(table: OuiTable, text: string): MacEnrichment | undefined {
  const hex = normalizeMac(text);
  if (!hex) return undefined;
  const first = Number.parseInt(hex.slice(0, 2), 16);
  const multicast = (first & 0x01) !== 0;
  const locallyAdministered = (first & 0x02) !== 0;
  const result: MacEnrichment = {
    mac: colonForm(hex, 12),
    multicast,
    locallyAdministered,
    randomized: locallyAdministered && !multicast,
  };
  const label = specialLabel(hex);
  if (label) result.label = label;
  if (!locallyAdministered) {
    // Group addresses carry the owner's OUI with the I/G bit set (01-00-5E is IANA's 00-00-5E).
    const universal = multicast
      ? (first & 0xfe).toString(16).toUpperCase().padStart(2, '0') + hex.slice(2)
      : hex;
    for (const digits of [9, 7, 6]) {
      const vendor = table.get(universal.slice(0, digits));
      if (vendor) {
        result.vendor = vendor;
        result.prefix = colonForm(universal, digits);
        break;
      }
    }
  }
  return result;
}
