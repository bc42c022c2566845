/**
 * AS numbers over sorted, non-overlapping address ranges in typed arrays, searched by binary
 * search: one 32-bit word per bound for IPv4, four (most significant first) for IPv6. Built once
 * from ranges given in ascending start order; where ranges overlap, the later (more specific)
 * one wins and the earlier is clipped around it.
 */
import type { AsInfo, Ipv4Ranges } from '../enricher.js';

/** AS names by id (0 is the empty name). */
interface NameList {
  readonly length: number;
  at(id: number): string | undefined;
}

function listOfNames(names: readonly string[]): NameList {
  return { length: names.length, at: (id) => names[id] };
}

/**
 * Names kept as the encoded UTF-8 bytes and their offsets, each decoded on first use: loading
 * the bundled tables then builds no strings (splitting all ~124k names cost ≈17 ms of every run).
 */
function lazyNames(bytes: Buffer, offsets: Uint32Array): NameList {
  const decoded: (string | undefined)[] = [];
  return {
    length: offsets.length - 1,
    at(id) {
      if (id >= offsets.length - 1) return undefined;
      let name = decoded[id];
      if (name === undefined) {
        name = bytes.toString('utf8', offsets[id], offsets[id + 1]);
        decoded[id] = name;
      }
      return name;
    },
  };
}

export class RangeTableBuilder {
  private readonly width: number;
  private starts: Uint32Array;
  private ends: Uint32Array;
  private asns: Uint32Array;
  private nameIds: Uint32Array;
  private count = 0;
  private readonly names: string[] = [''];
  private readonly nameIndex = new Map<string, number>([['', 0]]);
  /** Ranges dropped or clipped because a later one overlapped them. */
  overlaps = 0;
  /** Ranges dropped because they started before the one above them. */
  unsorted = 0;

  constructor(width: 1 | 4, capacity = 1024) {
    this.width = width;
    this.starts = new Uint32Array(capacity * width);
    this.ends = new Uint32Array(capacity * width);
    this.asns = new Uint32Array(capacity);
    this.nameIds = new Uint32Array(capacity);
  }

  /** `start`/`end` are inclusive bounds of `width` words each; `asName` '' when unknown. */
  add(start: ArrayLike<number>, end: ArrayLike<number>, asn: number, asName: string): void {
    let nameId = this.nameIndex.get(asName);
    if (nameId === undefined) {
      nameId = this.names.length;
      // A copy: a slice of the CSV text would keep the whole file (≈30 MB) alive.
      const owned = Buffer.from(asName, 'utf8').toString('utf8');
      this.names.push(owned);
      this.nameIndex.set(owned, nameId);
    }
    if (this.width === 1) {
      this.addIpv4(start[0], end[0], asn, nameId);
      return;
    }
    if (compare(start, 0, end, 0, this.width) > 0) return;
    const w = this.width;
    if (this.count > 0 && compare(this.starts, (this.count - 1) * w, start, 0, w) > 0) {
      this.unsorted++;
      return;
    }
    let tail: { start: number[]; end: number[]; asn: number; nameId: number } | undefined;
    while (this.count > 0) {
      const last = (this.count - 1) * w;
      if (compare(this.ends, last, start, 0, w) < 0) break;
      this.overlaps++;
      if (compare(this.starts, last, start, 0, w) >= 0) {
        this.count--;
        continue;
      }
      if (compare(this.ends, last, end, 0, w) > 0) {
        tail = {
          start: step(Array.from(end), 1),
          end: Array.from(this.ends.subarray(last, last + w)),
          asn: this.asns[this.count - 1],
          nameId: this.nameIds[this.count - 1],
        };
      }
      this.ends.set(step(Array.from(start), -1), last);
      break;
    }
    this.push(start, end, asn, nameId);
    if (tail) this.push(tail.start, tail.end, tail.asn, tail.nameId);
  }

  /** `add` for IPv4 (one word per bound), without the generic comparisons: 400,000 rows load at start-up. */
  private addIpv4(start: number, end: number, asn: number, nameId: number): void {
    if (start > end) return;
    const starts = this.starts;
    const ends = this.ends;
    if (this.count > 0 && starts[this.count - 1] > start) {
      this.unsorted++;
      return;
    }
    let tailStart = -1;
    let tailEnd = 0;
    let tailAsn = 0;
    let tailName = 0;
    while (this.count > 0) {
      const last = this.count - 1;
      if (ends[last] < start) break;
      this.overlaps++;
      if (starts[last] >= start) {
        this.count--;
        continue;
      }
      if (ends[last] > end) {
        tailStart = end + 1;
        tailEnd = ends[last];
        tailAsn = this.asns[last];
        tailName = this.nameIds[last];
      }
      ends[last] = start - 1;
      break;
    }
    this.pushIpv4(start, end, asn, nameId);
    if (tailStart >= 0) this.pushIpv4(tailStart, tailEnd, tailAsn, tailName);
  }

  private pushIpv4(start: number, end: number, asn: number, nameId: number): void {
    if (this.count === this.asns.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.asns[this.count] = asn;
    this.nameIds[this.count] = nameId;
    this.count++;
  }

  build(): RangeTable {
    const n = this.count;
    const w = this.width;
    return new RangeTable(
      w,
      this.starts.slice(0, n * w),
      this.ends.slice(0, n * w),
      this.asns.slice(0, n),
      this.nameIds.slice(0, n),
      listOfNames(this.names),
    );
  }

  private push(start: ArrayLike<number>, end: ArrayLike<number>, asn: number, nameId: number): void {
    if (this.count === this.asns.length) this.grow();
    const o = this.count * this.width;
    for (let i = 0; i < this.width; i++) {
      this.starts[o + i] = start[i];
      this.ends[o + i] = end[i];
    }
    this.asns[this.count] = asn;
    this.nameIds[this.count] = nameId;
    this.count++;
  }

  private grow(): void {
    const more = <T extends Uint32Array>(list: T): Uint32Array => {
      const bigger = new Uint32Array(list.length * 2);
      bigger.set(list);
      return bigger;
    };
    this.starts = more(this.starts);
    this.ends = more(this.ends);
    this.asns = more(this.asns);
    this.nameIds = more(this.nameIds);
  }
}

function compare(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, width: number): number {
  for (let i = 0; i < width; i++) if (a[ao + i] !== b[bo + i]) return a[ao + i] < b[bo + i] ? -1 : 1;
  return 0;
}

/** `words` ± 1 as one big-endian unsigned number (callers never step past 0 or the maximum). */
function step(words: number[], by: 1 | -1): number[] {
  for (let i = words.length - 1; i >= 0; i--) {
    const value = words[i] + by;
    if (value >= 0 && value <= 0xffffffff) {
      words[i] = value;
      break;
    }
    words[i] = by === 1 ? 0 : 0xffffffff;
  }
  return words;
}

/** "FLASNTB2": the binary form of a RangeTable (see `encode`). */
const MAGIC = Buffer.from('FLASNTB2', 'latin1');
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class RangeTable {
  readonly size: number;
  /** One AsInfo per row, made on first use and reused. */
  private readonly infos: (AsInfo | undefined)[];
  /**
   * IPv4 only: rows whose start is below k·65536, for k = 0…65536. The row holding an address
   * lies within its /16's bucket, so the binary search covers a few rows instead of all.
   */
  private readonly buckets: Uint32Array | undefined;

  constructor(
    private readonly width: number,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly asns: Uint32Array,
    private readonly nameIds: Uint32Array,
    private readonly names: NameList,
  ) {
    this.size = asns.length;
    this.infos = new Array(this.size);
    if (width === 1) {
      this.buckets = new Uint32Array(65537);
      let row = 0;
      for (let k = 0; k <= 65536; k++) {
        const bound = k * 65536;
        while (row < this.size && starts[row] < bound) row++;
        this.buckets[k] = row;
      }
    }
  }

  /**
   * The table as bytes, to load again without parsing its source: magic, a length-prefixed UTF-8
   * `stamp` naming the source it was built from, width, row and name counts and the names' byte
   * length, then starts, ends, AS numbers, name ids and the names' byte offsets (count + 1, the
   * last one their length; u32 little-endian), then the names' UTF-8 bytes one after another.
   */
  encode(stamp: string): Buffer {
    const stampBytes = Buffer.from(stamp, 'utf8');
    const nameBytes: Buffer[] = [];
    const nameOffsets = new Uint32Array(this.names.length + 1);
    for (let id = 0; id < this.names.length; id++) {
      const bytes = Buffer.from(this.names.at(id) ?? '', 'utf8');
      nameBytes.push(bytes);
      nameOffsets[id + 1] = nameOffsets[id] + bytes.length;
    }
    const names = Buffer.concat(nameBytes);
    // The stamp is padded so the word arrays start 4-byte aligned (decode then views them in place).
    const padded = Math.ceil(stampBytes.length / 4) * 4;
    const header = Buffer.alloc(MAGIC.length + 4 + padded + 16);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(stampBytes.length, MAGIC.length);
    stampBytes.copy(header, MAGIC.length + 4);
    let at = MAGIC.length + 4 + padded;
    at = header.writeUInt32LE(this.width, at);
    at = header.writeUInt32LE(this.size, at);
    at = header.writeUInt32LE(this.names.length, at);
    header.writeUInt32LE(names.length, at);
    const words = (list: Uint32Array) => {
      const out = Buffer.alloc(list.length * 4);
      for (let i = 0; i < list.length; i++) out.writeUInt32LE(list[i], i * 4);
      return out;
    };
    return Buffer.concat([
      header,
      words(this.starts),
      words(this.ends),
      words(this.asns),
      words(this.nameIds),
      words(nameOffsets),
      names,
    ]);
  }

  /**
   * A table from `encode`'s bytes, or undefined when they are not one (wrong magic, truncated,
   * inconsistent counts) or were built from another source than `stamp`: the caller then parses
   * the source instead.
   */
  static decode(bytes: Uint8Array, stamp: string): RangeTable | undefined {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const stampLength = buf.readUInt32LE(MAGIC.length);
    let at = MAGIC.length + 4;
    if (buf.length < at + stampLength + 16) return undefined;
    if (buf.toString('utf8', at, at + stampLength) !== stamp) return undefined;
    at += Math.ceil(stampLength / 4) * 4;
    const width = buf.readUInt32LE(at);
    const size = buf.readUInt32LE(at + 4);
    const nameCount = buf.readUInt32LE(at + 8);
    const namesLength = buf.readUInt32LE(at + 12);
    at += 16;
    if (width !== 1 && width !== 4) return undefined;
    if (buf.length !== at + size * 4 * (2 * width + 2) + (nameCount + 1) * 4 + namesLength) return undefined;
    const inPlace = LITTLE_ENDIAN && (buf.byteOffset + at) % 4 === 0;
    const words = (count: number) => {
      let list: Uint32Array;
      if (inPlace) list = new Uint32Array(buf.buffer, buf.byteOffset + at, count);
      else {
        list = new Uint32Array(count);
        for (let i = 0; i < count; i++) list[i] = buf.readUInt32LE(at + i * 4);
      }
      at += count * 4;
      return list;
    };
    const starts = words(size * width);
    const ends = words(size * width);
    const asns = words(size);
    const nameIds = words(size);
    const nameOffsets = words(nameCount + 1);
    if (nameOffsets[0] !== 0 || nameOffsets[nameCount] !== namesLength) return undefined;
    for (let id = 0; id < nameCount; id++) if (nameOffsets[id + 1] < nameOffsets[id]) return undefined;
    // A name id past the list (a damaged file) reads as no name: `info` leaves asName out.
    const names = lazyNames(buf.subarray(at, at + namesLength), nameOffsets);
    return new RangeTable(width, starts, ends, asns, nameIds, names);
  }

  /** IPv4 tables only: the range holding `ip` (unsigned 32-bit). */
  lookupIpv4(ip: number): AsInfo | undefined {
    const starts = this.starts;
    const buckets = this.buckets as Uint32Array;
    const k = ip >>> 16;
    // The last row starting at or before ip is the last of an earlier bucket or in this one.
    let found = buckets[k] - 1;
    let lo = buckets[k];
    let hi = buckets[k + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= ip) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || this.ends[found] < ip) return undefined;
    return this.info(found);
  }

  /** IPv4 tables only: every row, its index as the id. */
  ipv4Ranges(): Ipv4Ranges<AsInfo> {
    const ids = new Uint32Array(this.size);
    for (let i = 0; i < ids.length; i++) ids[i] = i;
    return {
      count: this.size,
      starts: this.starts,
      ends: this.ends,
      ids,
      value: (id) => this.info(id),
    };
  }

  /** IPv6 tables only: the range holding a 16-byte address. */
  lookupIpv6(bytes: Uint8Array): AsInfo | undefined {
    const w0 = word(bytes, 0);
    const w1 = word(bytes, 4);
    const w2 = word(bytes, 8);
    const w3 = word(bytes, 12);
    let lo = 0;
    let hi = this.size - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(this.starts, mid, w0, w1, w2, w3) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || this.compareAt(this.ends, found, w0, w1, w2, w3) < 0) return undefined;
    return this.info(found);
  }

  private compareAt(
    list: Uint32Array,
    index: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
  ): number {
    const o = index * this.width;
    if (list[o] !== w0) return list[o] < w0 ? -1 : 1;
    if (list[o + 1] !== w1) return list[o + 1] < w1 ? -1 : 1;
    if (list[o + 2] !== w2) return list[o + 2] < w2 ? -1 : 1;
    if (list[o + 3] !== w3) return list[o + 3] < w3 ? -1 : 1;
    return 0;
  }

  /** The AS of row `index` (an id of `ipv4Ranges`): shared, read-only. */
  info(index: number): AsInfo {
    let info = this.infos[index];
    if (!info) {
      const name = this.names.at(this.nameIds[index]);
      info = name ? { asn: this.asns[index], asName: name } : { asn: this.asns[index] };
      this.infos[index] = info;
    }
    return info;
  }
}

function word(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0
  );
}
