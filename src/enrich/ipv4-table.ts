/**
 * One IPv4 table for the per-flow hot path: the special-purpose ranges, the geography database's
 * ranges and the AS database's ranges merged into a single sorted list of segments covering the
 * whole address space, so an address costs one binary search (within its /16) instead of a
 * range classification, an MMDB tree walk and an AS range search.
 *
 * Contract: built once from Ipv4Ranges (sorted and disjoint, as the databases give them); a
 * segment answers exactly what the separate lookups would for every address in it. Values are
 * the databases' shared objects and must be treated as read-only.
 */
import { type AddressRange, grownArray, parseIpv4Number } from '../model/index.js';
import type { AsInfo, GeoInfo, IpDatabase, Ipv4Ranges } from './enricher.js';
import { SPECIAL_RANGES } from './ranges/index.js';

const SPACE_END = 0x1_0000_0000;

/** What a flow record takes from an address: shared per segment, read-only. */
export interface Ipv4Info {
  range?: AddressRange;
  country?: string;
  asn?: number;
  asName?: string;
}

const NOTHING: Ipv4Info = Object.freeze({});

class SegmentBuilder {
  count = 0;
  starts = new Uint32Array(1 << 16);
  geo = new Int32Array(1 << 16);
  as = new Int32Array(1 << 16);
  special = new Int8Array(1 << 16);

  add(start: number, geo: number, as: number, special: number): void {
    const last = this.count - 1;
    if (last >= 0 && this.geo[last] === geo && this.as[last] === as && this.special[last] === special) return;
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.geo[this.count] = geo;
    this.as[this.count] = as;
    this.special[this.count] = special;
    this.count++;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    this.starts = grownArray(this.starts, size);
    this.geo = grownArray(this.geo, size);
    this.as = grownArray(this.as, size);
    this.special = grownArray(this.special, size);
  }
}

/** The IPv4 special-purpose ranges as disjoint ranges, the most specific block winning; ids index SPECIAL_RANGES. */
export function specialIpv4Ranges(): Ipv4Ranges<AddressRange> {
  const blocks = SPECIAL_RANGES.map((range, index) => ({ range, index })).filter(
    ({ range }) => !range.cidr.includes(':'),
  );
  const bounds = new Set<number>([0]);
  const parsed = blocks.map(({ range, index }) => {
    const [address, bits] = range.cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    const start = parseIpv4Number(address);
    bounds.add(start);
    if (start + size < SPACE_END) bounds.add(start + size);
    return { start, end: start + size - 1, index };
  });
  const sorted = [...bounds].sort((a, b) => a - b);
  const starts: number[] = [];
  const ends: number[] = [];
  const ids: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i];
    const end = (sorted[i + 1] ?? SPACE_END) - 1;
    // SPECIAL_RANGES lists the most specific block first among overlapping ones.
    const hit = parsed.find((p) => p.start <= start && end <= p.end);
    if (hit) {
      starts.push(start);
      ends.push(end);
      ids.push(hit.index);
    }
  }
  return {
    count: ids.length,
    starts: Uint32Array.from(starts),
    ends: Uint32Array.from(ends),
    ids: Uint32Array.from(ids),
    value: (id) => SPECIAL_RANGES[id],
  };
}

const NONE: Ipv4Ranges<never> = {
  count: 0,
  starts: new Uint32Array(0),
  ends: new Uint32Array(0),
  ids: new Uint32Array(0),
  value: () => undefined,
};

/** The merged list: per segment its first address and its ids in each list (-1: none). */
export interface Ipv4Segments {
  count: number;
  starts: Uint32Array;
  geo: Int32Array;
  as: Int32Array;
  special: Int8Array;
}

function mergeSegments(
  geo: Ipv4Ranges<GeoInfo>,
  as: Ipv4Ranges<AsInfo>,
  special: Ipv4Ranges<AddressRange>,
): Ipv4Segments {
  const out = new SegmentBuilder();
  const lists = [geo, as, special] as Ipv4Ranges<unknown>[];
  const at = [0, 0, 0];
  const values = [-1, -1, -1];
  let pos = 0;
  while (pos < SPACE_END) {
    let next = SPACE_END;
    for (let k = 0; k < 3; k++) {
      const list = lists[k];
      let i = at[k];
      while (i < list.count && list.ends[i] < pos) i++;
      at[k] = i;
      if (i < list.count && list.starts[i] <= pos) {
        values[k] = list.ids[i];
        next = Math.min(next, list.ends[i] + 1);
      } else {
        values[k] = -1;
        if (i < list.count) next = Math.min(next, list.starts[i]);
      }
    }
    out.add(pos, values[0], values[1], values[2]);
    pos = next;
  }
  return out;
}

/** "FLIPV4T" and a format version. */
const CACHE_MAGIC = Uint8Array.from([0x46, 0x4c, 0x49, 0x50, 0x56, 0x34, 0x54, 1]);

/**
 * A table written by `encode` with this `stamp`, its values read through `geo` and `as` (the
 * databases it was merged from); undefined for other bytes: another stamp, another format, a
 * truncated or damaged file.
 */
export function decodeIpv4Table(
  bytes: Uint8Array,
  stamp: string,
  geo: Pick<IpDatabase<GeoInfo>, 'ipv4Value'> | undefined,
  as: Pick<IpDatabase<AsInfo>, 'ipv4Value'> | undefined,
): Ipv4Table | undefined {
  if (bytes.length < 16 || CACHE_MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const textLength = view.getUint32(8, true);
  const head = 8 + 4 + Math.ceil(textLength / 4) * 4 + 4;
  if (head > bytes.length) return undefined;
  if (new TextDecoder().decode(bytes.subarray(12, 12 + textLength)) !== stamp) return undefined;
  const n = view.getUint32(head - 4, true);
  if (n === 0 || bytes.length !== head + n * 13) return undefined;
  // Copies (a Buffer's slice would share its pool): the typed arrays need aligned offsets.
  const part = (from: number, length: number) =>
    new Uint8Array(bytes.subarray(head + from, head + from + length)).buffer;
  const segments: Ipv4Segments = {
    count: n,
    starts: new Uint32Array(part(0, n * 4)),
    geo: new Int32Array(part(n * 4, n * 4)),
    as: new Int32Array(part(n * 8, n * 4)),
    special: new Int8Array(part(n * 12, n)),
  };
  // The merge's invariants: the first segment at 0, starts ascending, special ids in range.
  if (segments.starts[0] !== 0) return undefined;
  for (let i = 1; i < n; i++) if (segments.starts[i] <= segments.starts[i - 1]) return undefined;
  for (let i = 0; i < n; i++) if (segments.special[i] >= SPECIAL_RANGES.length) return undefined;
  const values = <T>(db: Pick<IpDatabase<T>, 'ipv4Value'> | undefined): Ipv4Ranges<T> =>
    db ? { ...NONE, value: (id) => db.ipv4Value(id) } : NONE;
  return new Ipv4Table(values(geo), values(as), specialIpv4Ranges(), segments);
}

/** Largest geography id `pairKey` takes (AS ids are Int32): the key stays an exact integer (below 2^53). */
const MAX_PAIR_ID = 2 ** 21 - 2;

/**
 * One number for a segment's geography and AS ids (-1: none), so that segments with the same
 * database values share an answer without building its text key; -1 for ids too large to pair.
 */
function pairKey(geo: number, as: number): number {
  return geo > MAX_PAIR_ID ? -1 : (geo + 1) * 2 ** 32 + (as + 1);
}

export class Ipv4Table {
  readonly segments: number;
  /**
   * Per segment, interleaved so the search's last probe brings the answer into the same cache
   * line: [2i] its first address, [2i+1] 0 until first used, then an index into `infos`.
   */
  private readonly segs: Uint32Array;
  private readonly geoIds: Int32Array;
  private readonly asIds: Int32Array;
  private readonly specialIds: Int8Array;
  /** first[k]: the segment holding address k·65536; first[65536] is the last segment. */
  private readonly first: Uint32Array;
  /** Distinct infos (many segments share one: same country and AS), interned by `infoKeys`. */
  private readonly infos: Ipv4Info[] = [NOTHING];
  private readonly infoKeys = new Map<string, number>();
  /** Segments without a special range, by their database ids (see `pairKey`) → index into `infos`. */
  private readonly infoByIds = new Map<number, number>();

  /** `segments`: a merge of exactly these lists made earlier (`encode`/`decode`); default: merged here. */
  constructor(
    private readonly geo: Ipv4Ranges<GeoInfo>,
    private readonly as: Ipv4Ranges<AsInfo>,
    private readonly special: Ipv4Ranges<AddressRange>,
    segments: Ipv4Segments = mergeSegments(geo, as, special),
  ) {
    const n = segments.count;
    this.segments = n;
    this.segs = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) this.segs[2 * i] = segments.starts[i];
    this.geoIds = segments.geo.slice(0, n);
    this.asIds = segments.as.slice(0, n);
    this.specialIds = segments.special.slice(0, n);
    this.first = new Uint32Array(65537);
    let s = 0;
    for (let k = 0; k < 65536; k++) {
      const bound = k * 65536;
      while (s + 1 < n && segments.starts[s + 1] <= bound) s++;
      this.first[k] = s;
    }
    this.first[65536] = n - 1;
  }

  /**
   * The segments as bytes, after a header with `stamp` (what the lists were made from): read
   * back by `decodeIpv4Table` with the same stamp. Native byte order: a cache for this machine.
   */
  encode(stamp: string): Uint8Array {
    const n = this.segments;
    const text = new TextEncoder().encode(stamp);
    const head = 8 + 4 + Math.ceil(text.length / 4) * 4 + 4;
    const bytes = new Uint8Array(head + n * 13);
    bytes.set(CACHE_MAGIC, 0);
    const view = new DataView(bytes.buffer);
    view.setUint32(8, text.length, true);
    bytes.set(text, 12);
    view.setUint32(head - 4, n, true);
    const starts = new Uint32Array(n);
    for (let i = 0; i < n; i++) starts[i] = this.segs[2 * i];
    bytes.set(new Uint8Array(starts.buffer), head);
    bytes.set(new Uint8Array(this.geoIds.buffer, this.geoIds.byteOffset, n * 4), head + n * 4);
    bytes.set(new Uint8Array(this.asIds.buffer, this.asIds.byteOffset, n * 4), head + n * 8);
    bytes.set(new Uint8Array(this.specialIds.buffer, this.specialIds.byteOffset, n), head + n * 12);
    return bytes;
  }

  /** The segment holding an IPv4 address (unsigned 32-bit). */
  find(ip: number): number {
    const segs = this.segs;
    const k = ip >>> 16;
    let lo = this.first[k];
    let hi = this.first[k + 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[2 * mid] <= ip) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Range label, country and AS of an address, shared by every address of its segment. */
  info(ip: number): Ipv4Info {
    const segment = this.find(ip);
    const id = this.segs[2 * segment + 1];
    return id === 0 ? this.resolve(segment) : this.infos[id];
  }

  rangeOf(segment: number): AddressRange | undefined {
    const id = this.specialIds[segment];
    return id < 0 ? undefined : this.special.value(id);
  }

  geoOf(segment: number): GeoInfo | undefined {
    const id = this.geoIds[segment];
    return id < 0 ? undefined : this.geo.value(id);
  }

  asOf(segment: number): AsInfo | undefined {
    const id = this.asIds[segment];
    return id < 0 ? undefined : this.as.value(id);
  }

  private resolve(segment: number): Ipv4Info {
    const range = this.rangeOf(segment);
    const pair = range ? -1 : pairKey(this.geoIds[segment], this.asIds[segment]);
    let id = pair < 0 ? undefined : this.infoByIds.get(pair);
    if (id === undefined) {
      id = this.intern(
        range,
        range ? undefined : this.geoOf(segment),
        range ? undefined : this.asOf(segment),
      );
      if (pair >= 0) this.infoByIds.set(pair, id);
    }
    this.segs[2 * segment + 1] = id;
    return this.infos[id];
  }

  /** The index in `infos` of what a record takes from these values, one entry per distinct answer. */
  private intern(range: AddressRange | undefined, g: GeoInfo | undefined, a: AsInfo | undefined): number {
    const key = range ? range.cidr : `${g?.country ?? ''}|${a?.asn ?? ''}|${a?.asName ?? ''}`;
    let id = this.infoKeys.get(key);
    if (id === undefined) {
      const info: Ipv4Info = {};
      if (range) info.range = range;
      if (g?.country) info.country = g.country;
      if (a) {
        info.asn = a.asn;
        if (a.asName) info.asName = a.asName;
      }
      id = this.infos.length;
      this.infos.push(info);
      this.infoKeys.set(key, id);
    }
    return id;
  }
}

/**
 * A direct-mapped cache of recent addresses → their info, keyed by the number itself: a hit
 * costs a hash, one typed-array read and one array read; a collision replaces the entry.
 */
export class Ipv4InfoCache {
  hits = 0;
  misses = 0;
  private readonly mask: number;
  private readonly keys: Int32Array;
  private readonly values: (Ipv4Info | undefined)[];

  /** `entries` is rounded up to a power of two. */
  constructor(
    private readonly table: Ipv4Table,
    entries: number,
  ) {
    const size = 2 ** Math.max(4, Math.ceil(Math.log2(Math.max(1, entries))));
    this.mask = size - 1;
    this.keys = new Int32Array(size);
    this.values = new Array(size).fill(undefined);
  }

  info(ip: number): Ipv4Info {
    const slot = (Math.imul(ip ^ (ip >>> 16), 0x45d9f3b) >>> 7) & this.mask;
    const cached = this.values[slot];
    if (cached !== undefined && this.keys[slot] === (ip | 0)) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const info = this.table.info(ip);
    this.keys[slot] = ip | 0;
    this.values[slot] = info;
    return info;
  }
}

/** Merges the databases' IPv4 ranges (either may be absent) with the special-purpose ranges. */
export function buildIpv4Table(
  geo: Ipv4Ranges<GeoInfo> | undefined,
  as: Ipv4Ranges<AsInfo> | undefined,
): Ipv4Table {
  return new Ipv4Table(geo ?? NONE, as ?? NONE, specialIpv4Ranges());
}
