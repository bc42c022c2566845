/**
 * MAC address → vendor from the IEEE registries (MA-L 24-bit, MA-M 28-bit, MA-S 36-bit
 * prefixes), as shipped by the `oui-data` npm package, and the address kind from its first
 * octet: the I/G bit (group) and the U/L bit (locally administered, IEEE 802-2014 §8.2).
 * Locally administered unicast addresses are what phones and laptops use as private (random)
 * MACs; they have no vendor.
 */
import { readFileSync } from 'node:fs';
import type { MacEnrichment } from '../../model/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import { bundledFile } from '../mmdb/index.js';

export const OUI_PACKAGE = 'oui-data';
export const OUI_ATTRIBUTION =
  'MAC vendors: IEEE Registration Authority registries via oui-data (BSD-2-Clause)';

/** Hex prefix (upper case, 6, 7 or 9 digits) → organisation, first line. */
export type OuiTable = Map<string, string>;

/** Reads the registry JSON (`{ "00000C": "Cisco Systems, Inc\n170 WEST…" }`). */
export function loadOuiTable(file = bundledFile(OUI_PACKAGE, 'index.json')): OuiTable {
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
  const table: OuiTable = new Map();
  for (const [prefix, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || !/^[0-9A-Fa-f]{6,9}$/.test(prefix)) continue;
    const name = value.split('\n', 1)[0].trim();
    if (name) table.set(prefix.toUpperCase(), name);
  }
  return table;
}

let bundled: OuiTable | undefined;

/** The bundled registry, read once per process and shared (the enricher, the device inventory). */
export function bundledOuiTable(): OuiTable {
  bundled ??= loadOuiTable();
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
