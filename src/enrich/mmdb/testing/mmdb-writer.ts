/**
 * A small MaxMind DB writer for tests: builds .mmdb files in the MaxMind GeoIP2 City and ASN
 * shapes (or any other) so the reader can be checked against `mmdblookup` on databases with
 * every data type, each record size and both tree kinds. Repeated strings are written once
 * and referenced by pointers; `padding` pushes later data past the 2- and 3-byte pointer
 * ranges. Networks must not overlap.
 */
import { parseIpAddress } from '../../../model/index.js';

export type WriterValue =
  | string
  | number
  | boolean
  | WriterValue[]
  | { [key: string]: WriterValue }
  | TypedValue;

/** A value of an explicit MMDB type (plain numbers are written as uint32). */
export interface TypedValue {
  $type: 'double' | 'float' | 'uint16' | 'uint32' | 'int32' | 'uint64' | 'uint128' | 'bytes';
  value: number | bigint | Uint8Array;
}

export interface MmdbWriterOptions {
  ipVersion: 4 | 6;
  recordSize: 24 | 28 | 32;
  databaseType: string;
  entries: { cidr: string; value: WriterValue }[];
  languages?: string[];
  /** Bytes of filler data written before the records (to test long pointers). */
  padding?: number;
  buildEpoch?: number;
}

const TYPE = { pointer: 1, utf8: 2, double: 3, bytes: 4, uint16: 5, uint32: 6, map: 7, int32: 8 } as const;
const EXT = { uint64: 9, uint128: 10, array: 11, boolean: 14, float: 15 } as const;

function control(type: number, size: number): number[] {
  const out: number[] = [];
  const first = type <= 7 ? type << 5 : 0;
  let sizeBytes: number[] = [];
  let sizeBits = size;
  if (size >= 65821) {
    sizeBits = 31;
    const v = size - 65821;
    sizeBytes = [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
  } else if (size >= 285) {
    sizeBits = 30;
    const v = size - 285;
    sizeBytes = [(v >> 8) & 0xff, v & 0xff];
  } else if (size >= 29) {
    sizeBits = 29;
    sizeBytes = [size - 29];
  }
  out.push(first | sizeBits);
  if (type > 7) out.push(type - 7);
  out.push(...sizeBytes);
  return out;
}

function pointer(p: number): number[] {
  if (p < 2048) return [0x20 | (p >> 8), p & 0xff];
  if (p < 526336) {
    const q = p - 2048;
    return [0x28 | (q >> 16), (q >> 8) & 0xff, q & 0xff];
  }
  if (p < 134744064) {
    const q = p - 526336;
    return [0x30 | (q >> 24), (q >> 16) & 0xff, (q >> 8) & 0xff, q & 0xff];
  }
  return [0x38, (p >>> 24) & 0xff, (p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff];
}

function unsigned(value: bigint): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v > 0n) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return bytes;
}

class DataWriter {
  bytes: number[] = [];
  private readonly strings = new Map<string, number>();

  write(value: WriterValue): void {
    const out = this.bytes;
    if (typeof value === 'string') {
      const known = this.strings.get(value);
      if (known !== undefined && value.length > 2) {
        out.push(...pointer(known));
        return;
      }
      const offset = out.length;
      const encoded = Buffer.from(value, 'utf8');
      out.push(...control(TYPE.utf8, encoded.length));
      for (const byte of encoded) out.push(byte);
      this.strings.set(value, offset);
    } else if (typeof value === 'number') {
      this.write({ $type: 'uint32', value });
    } else if (typeof value === 'boolean') {
      out.push(...control(EXT.boolean, value ? 1 : 0));
    } else if (Array.isArray(value)) {
      out.push(...control(EXT.array, value.length));
      for (const item of value) this.write(item);
    } else if ('$type' in value && typeof value.$type === 'string') {
      this.typed(value as TypedValue);
    } else {
      const entries = Object.entries(value as Record<string, WriterValue>);
      out.push(...control(TYPE.map, entries.length));
      for (const [k, v] of entries) {
        this.write(k);
        this.write(v);
      }
    }
  }

  private typed({ $type, value }: TypedValue): void {
    const out = this.bytes;
    switch ($type) {
      case 'double': {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(value as number);
        out.push(...control(TYPE.double, 8), ...b);
        return;
      }
      case 'float': {
        const b = Buffer.alloc(4);
        b.writeFloatBE(value as number);
        out.push(...control(EXT.float, 4), ...b);
        return;
      }
      case 'bytes': {
        const b = value as Uint8Array;
        out.push(...control(TYPE.bytes, b.length), ...b);
        return;
      }
      case 'int32': {
        const b = Buffer.alloc(4);
        b.writeInt32BE(value as number);
        out.push(...control(TYPE.int32, 4), ...b);
        return;
      }
      default: {
        const bytes = unsigned(BigInt(value as number | bigint));
        const type = { uint16: TYPE.uint16, uint32: TYPE.uint32, uint64: EXT.uint64, uint128: EXT.uint128 }[
          $type
        ];
        out.push(...control(type, bytes.length), ...bytes);
      }
    }
  }
}

interface TrieNode {
  children: [TrieNode | number | undefined, TrieNode | number | undefined];
  index: number;
}

export function writeMmdb(options: MmdbWriterOptions): Buffer {
  const bits = options.ipVersion === 6 ? 128 : 32;
  const data = new DataWriter();
  if (options.padding) data.write('x'.repeat(options.padding));
  const offsets = new Map<string, number>();
  const root: TrieNode = { children: [undefined, undefined], index: 0 };
  const nodes: TrieNode[] = [root];
  for (const { cidr, value } of options.entries) {
    const [text, prefixText] = cidr.split('/');
    const address = parseIpAddress(text);
    if (!address) throw new Error(`bad network ${cidr}`);
    let prefix = Number(prefixText);
    let bytes = address;
    if (address.length === 4 && bits === 128) {
      bytes = new Uint8Array(16);
      bytes.set(address, 12);
      prefix += 96;
    }
    if (bytes.length * 8 !== bits) throw new Error(`${cidr} does not fit an IPv${options.ipVersion} tree`);
    const key = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    let offset = offsets.get(key);
    if (offset === undefined) {
      offset = data.bytes.length;
      data.write(value);
      offsets.set(key, offset);
    }
    let node = root;
    for (let i = 0; i < prefix; i++) {
      const bit = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
      const child = node.children[bit];
      if (i === prefix - 1) {
        if (child !== undefined) throw new Error(`${cidr} overlaps another network`);
        node.children[bit] = offset;
      } else if (child === undefined) {
        const next: TrieNode = { children: [undefined, undefined], index: nodes.length };
        nodes.push(next);
        node.children[bit] = next;
        node = next;
      } else if (typeof child === 'number') {
        throw new Error(`${cidr} overlaps another network`);
      } else {
        node = child;
      }
    }
  }
  const nodeCount = nodes.length;
  const recordBytes = options.recordSize / 4;
  const tree = Buffer.alloc(nodeCount * recordBytes);
  const recordValue = (child: TrieNode | number | undefined) =>
    child === undefined ? nodeCount : typeof child === 'number' ? nodeCount + 16 + child : child.index;
  for (const node of nodes) {
    const left = recordValue(node.children[0]);
    const right = recordValue(node.children[1]);
    const o = node.index * recordBytes;
    if (options.recordSize === 24) {
      tree.writeUIntBE(left, o, 3);
      tree.writeUIntBE(right, o + 3, 3);
    } else if (options.recordSize === 28) {
      tree.writeUIntBE(left & 0xffffff, o, 3);
      tree[o + 3] = ((left >> 20) & 0xf0) | ((right >> 24) & 0x0f);
      tree.writeUIntBE(right & 0xffffff, o + 4, 3);
    } else {
      tree.writeUInt32BE(left, o);
      tree.writeUInt32BE(right, o + 4);
    }
  }
  const meta = new DataWriter();
  meta.write({
    binary_format_major_version: { $type: 'uint16', value: 2 },
    binary_format_minor_version: { $type: 'uint16', value: 0 },
    build_epoch: { $type: 'uint64', value: BigInt(options.buildEpoch ?? 1_700_000_000) },
    database_type: options.databaseType,
    description: { en: `${options.databaseType} test database` },
    ip_version: { $type: 'uint16', value: options.ipVersion },
    languages: options.languages ?? ['en'],
    node_count: { $type: 'uint32', value: nodeCount },
    record_size: { $type: 'uint16', value: options.recordSize },
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    Buffer.from(data.bytes),
    Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'),
    Buffer.from(meta.bytes),
  ]);
}
