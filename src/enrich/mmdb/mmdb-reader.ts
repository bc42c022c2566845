/**
 * MaxMind DB (MMDB) reader over one Buffer, zero-copy: the binary search tree walk and the data
 * section decoder of the MaxMind DB format 2.0 (https://maxmind.github.io/MaxMind-DB/). It reads
 * MaxMind GeoIP2/GeoLite2, DB-IP and ip-location-db files alike; what a record means is the
 * caller's business (geoip/, asn/).
 *
 * Contract: the reader keeps a reference to the Buffer it was given and never copies or writes
 * it; byte values it returns are views into it. Any inconsistency in the file (a record or
 * pointer out of bounds, an unknown type, a truncated value) throws FlowlensError
 * FLOWLENS_ERR_ENRICH_DB_INVALID; nothing else is thrown for any bytes.
 */
import { ERR, FlowlensError } from '../../shared/index.js';

export type MmdbValue = string | number | bigint | boolean | Uint8Array | MmdbValue[] | MmdbMap;
export interface MmdbMap {
  [key: string]: MmdbValue;
}

export interface MmdbMetadata {
  nodeCount: number;
  /** Bits per search-tree record: 24, 28 or 32. */
  recordSize: number;
  /** 4: an IPv4-only tree; 6: an IPv6 tree with IPv4 at ::/96. */
  ipVersion: number;
  databaseType: string;
  /** Seconds since the Unix epoch. */
  buildEpoch: number;
  languages: string[];
  description: Record<string, string>;
}

/** Spec §"Database Metadata": the metadata follows the last occurrence of this marker. */
const METADATA_MARKER = Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1');
/** The marker sits in the last 128 KiB of the file. */
const METADATA_MAX_SIZE = 128 * 1024;
/** Containers nest at most this deep (a corrupt file could otherwise recurse without end). */
const MAX_DEPTH = 64;
const NOT_FOUND = -1;

export class MmdbReader {
  readonly metadata: MmdbMetadata;
  /** Prefix length of the network that answered the last lookup (0–128, in IPv6 terms for an IPv6 tree). */
  prefixLength = 0;
  private readonly buf: Buffer;
  private readonly source: string;
  private readonly nodeCount: number;
  private readonly recordSize: number;
  private readonly dataStart: number;
  private readonly dataEnd: number;
  private readonly ipv4StartDepth: number;
  /** The node (or record) where the IPv4 space starts: ::/96 in an IPv6 tree, the root in an IPv4 tree. */
  private readonly ipv4StartNode: number;
  /**
   * IPv4 jump table: the record reached after the first 16 bits of each /16 (or earlier, where
   * the tree ends sooner) and the bits it took, so a lookup walks at most 16 more nodes.
   */
  private readonly jumpNode = new Uint32Array(65536);
  private readonly jumpBits = new Uint8Array(65536);
  /** Decoder state: the section being read and the cursor. */
  private sectionStart = 0;
  private sectionEnd = 0;
  private pos = 0;

  constructor(buf: Buffer, source: string) {
    this.buf = buf;
    this.source = source;
    const from = Math.max(0, buf.length - METADATA_MAX_SIZE);
    const marker = buf.lastIndexOf(METADATA_MARKER);
    if (marker < from) this.fail('no MaxMind DB metadata marker (not an .mmdb file?)');
    const metaStart = marker + METADATA_MARKER.length;
    const meta = this.decodeSection(metaStart, buf.length, metaStart);
    if (!isMap(meta)) this.fail('metadata is not a map');
    this.metadata = readMetadata(meta, (m) => this.fail(m));
    this.nodeCount = this.metadata.nodeCount;
    this.recordSize = this.metadata.recordSize;
    const treeSize = (this.nodeCount * this.recordSize) / 4;
    // Spec §"Data Section Separator": 16 zero bytes between the tree and the data.
    this.dataStart = treeSize + 16;
    this.dataEnd = marker;
    if (this.dataStart > this.dataEnd) this.fail('search tree larger than the file');
    let node = 0;
    let depth = 0;
    if (this.metadata.ipVersion === 6) {
      for (; depth < 96 && node < this.nodeCount; depth++) node = this.readRecord(node, 0);
    }
    this.ipv4StartDepth = depth;
    this.ipv4StartNode = node;
    for (let prefix = 0; prefix < 65536; prefix++) {
      let at = node;
      let bits = 0;
      for (; bits < 16 && at < this.nodeCount; bits++) at = this.readRecord(at, (prefix >>> (15 - bits)) & 1);
      this.jumpNode[prefix] = at;
      this.jumpBits[prefix] = bits;
    }
  }

  /**
   * Data-section offset of the record for an IPv4 address (as an unsigned 32-bit number), or -1
   * when the database has none. Sets `prefixLength`.
   */
  lookupIpv4(ip: number): number {
    const b = this.buf;
    const n = this.nodeCount;
    const top = ip >>> 16;
    let node = this.jumpNode[top];
    let i = this.jumpBits[top];
    if (this.recordSize === 24) {
      for (; i < 32 && node < n; i++) {
        const o = node * 6 + ((ip >>> (31 - i)) & 1) * 3;
        node = (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
      }
    } else {
      for (; i < 32 && node < n; i++) node = this.readRecord(node, (ip >>> (31 - i)) & 1);
    }
    this.prefixLength = this.ipv4StartDepth + i;
    return this.resolve(node, i === 32);
  }

  /** As lookupIpv4 for a 16-byte IPv6 address; -1 for any IPv6 address in an IPv4-only tree. */
  lookupIpv6(bytes: Uint8Array): number {
    if (this.metadata.ipVersion !== 6) {
      this.prefixLength = 0;
      return NOT_FOUND;
    }
    const n = this.nodeCount;
    let node = 0;
    let i = 0;
    for (; i < 128 && node < n; i++) node = this.readRecord(node, (bytes[i >> 3] >> (7 - (i & 7))) & 1);
    this.prefixLength = i;
    return this.resolve(node, i === 128);
  }

  /**
   * Every IPv4 network that has a record, in ascending address order, as inclusive bounds
   * (unsigned 32-bit) and the record's data-section offset. Adjacent networks with the same
   * record are merged into one call. Where an IPv6 tree ends above ::/96, the whole IPv4 space
   * is one network. Visits each tree node of the IPv4 space once.
   */
  forEachIpv4Network(visit: (start: number, end: number, offset: number) => void): void {
    const n = this.nodeCount;
    let pendingStart = 0;
    let pendingEnd = -1;
    let pendingOffset = -1;
    const emit = (start: number, end: number, offset: number) => {
      if (offset === pendingOffset && start === pendingEnd + 1) {
        pendingEnd = end;
        return;
      }
      if (pendingOffset >= 0) visit(pendingStart, pendingEnd, pendingOffset);
      pendingStart = start;
      pendingEnd = end;
      pendingOffset = offset;
    };
    // A valid tree reaches each node once; a corrupt one could share nodes and explode.
    let budget = n + 1;
    const walk = (node: number, depth: number, prefix: number): void => {
      if (node >= n) {
        if (node === n) return;
        const offset = this.resolve(node, true);
        emit(prefix, prefix + 2 ** (32 - depth) - 1, offset);
        return;
      }
      if (depth === 32) this.fail('search tree deeper than the address');
      if (--budget < 0) this.fail('search tree nodes are shared (not a tree)');
      walk(this.readRecord(node, 0), depth + 1, prefix);
      walk(this.readRecord(node, 1), depth + 1, prefix + 2 ** (31 - depth));
    };
    if (this.ipv4StartDepth === 96 || this.metadata.ipVersion !== 6) walk(this.ipv4StartNode, 0, 0);
    else if (this.ipv4StartNode > n) emit(0, 0xffffffff, this.resolve(this.ipv4StartNode, true));
    if (pendingOffset >= 0) visit(pendingStart, pendingEnd, pendingOffset);
  }

  /** The value stored at a data-section offset returned by a lookup. */
  decode(offset: number): MmdbValue {
    return this.decodeSection(this.dataStart, this.dataEnd, this.dataStart + offset);
  }

  private resolve(node: number, exhausted: boolean): number {
    const n = this.nodeCount;
    if (node === n) return NOT_FOUND;
    if (node < n) {
      if (exhausted) this.fail('search tree deeper than the address');
      return NOT_FOUND;
    }
    // Spec §"Pointer - Data Section Offset": record − node count − 16.
    const offset = node - n - 16;
    if (offset < 0 || this.dataStart + offset >= this.dataEnd)
      this.fail(`record ${node} points outside the data`);
    return offset;
  }

  /** One record of a node: the left (bit 0) or right (bit 1) one. */
  private readRecord(node: number, bit: number): number {
    const b = this.buf;
    switch (this.recordSize) {
      case 24: {
        const o = node * 6 + bit * 3;
        return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
      }
      case 28: {
        // Spec §"Node Layout": the middle byte's high nibble belongs to the left record.
        const o = node * 7;
        if (bit === 0) return ((b[o + 3] & 0xf0) << 20) | (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
        return ((b[o + 3] & 0x0f) << 24) | (b[o + 4] << 16) | (b[o + 5] << 8) | b[o + 6];
      }
      default: {
        const o = node * 8 + bit * 4;
        return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
      }
    }
  }

  private decodeSection(start: number, end: number, at: number): MmdbValue {
    this.sectionStart = start;
    this.sectionEnd = end;
    this.pos = at;
    return this.read(0, false);
  }

  private need(count: number): void {
    if (this.pos + count > this.sectionEnd) this.fail(`value at byte ${this.pos} runs past its section`);
  }

  /** Spec §"Output Data Section": one value at the cursor; the cursor moves past it. */
  private read(depth: number, viaPointer: boolean): MmdbValue {
    if (depth > MAX_DEPTH) this.fail('values nested too deep');
    if (this.pos < this.sectionStart) this.fail(`value at byte ${this.pos} is outside its section`);
    this.need(1);
    const b = this.buf;
    const ctrl = b[this.pos++];
    let type = ctrl >> 5;
    if (type === 1) return this.readPointer(ctrl, depth, viaPointer);
    if (type === 0) {
      this.need(1);
      type = 7 + b[this.pos++];
      if (type < 8 || type > 15) this.fail(`unknown extended type ${type}`);
    }
    let size = ctrl & 0x1f;
    if (size >= 29) {
      const extra = size - 28;
      this.need(extra);
      let value = 0;
      for (let i = 0; i < extra; i++) value = value * 256 + b[this.pos++];
      size = size === 29 ? 29 + value : size === 30 ? 285 + value : 65821 + value;
    }
    switch (type) {
      case 2: {
        this.need(size);
        const text = b.toString('utf8', this.pos, this.pos + size);
        this.pos += size;
        return text;
      }
      case 3:
        return this.readFloat(size, 8);
      case 4: {
        this.need(size);
        const bytes = b.subarray(this.pos, this.pos + size);
        this.pos += size;
        return bytes;
      }
      case 5:
        return this.readUnsigned(size, 2);
      case 6:
        return this.readUnsigned(size, 4);
      case 7: {
        const map: MmdbMap = {};
        for (let i = 0; i < size; i++) {
          const key = this.read(depth + 1, false);
          if (typeof key !== 'string') this.fail('map key is not a string');
          const value = this.read(depth + 1, false);
          Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
        }
        return map;
      }
      case 8: {
        const value = this.readUnsigned(size, 4) as number;
        return size === 4 ? value | 0 : value;
      }
      case 9:
        return this.readUnsigned(size, 8);
      case 10:
        return this.readUnsigned(size, 16);
      case 11: {
        const list: MmdbValue[] = [];
        for (let i = 0; i < size; i++) list.push(this.read(depth + 1, false));
        return list;
      }
      case 14:
        if (size > 1) this.fail(`boolean of size ${size}`);
        return size === 1;
      case 15:
        return this.readFloat(size, 4);
      default:
        // 12 (data cache container) and 13 (end marker) never appear as values.
        return this.fail(`type ${type} is not a value`);
    }
  }

  private readPointer(ctrl: number, depth: number, viaPointer: boolean): MmdbValue {
    // Spec §"Pointer - 1": a pointer to a pointer is invalid.
    if (viaPointer) this.fail('pointer to a pointer');
    const b = this.buf;
    const ss = (ctrl >> 3) & 3;
    const high = ctrl & 7;
    this.need(ss + 1);
    const p = this.pos;
    let target: number;
    if (ss === 0) target = (high << 8) | b[p];
    else if (ss === 1) target = ((high << 16) | (b[p] << 8) | b[p + 1]) + 2048;
    else if (ss === 2) target = ((high << 24) | (b[p] << 16) | (b[p + 1] << 8) | b[p + 2]) + 526336;
    else target = b.readUInt32BE(p);
    const after = p + ss + 1;
    this.pos = this.sectionStart + target;
    const value = this.read(depth + 1, true);
    this.pos = after;
    return value;
  }

  private readUnsigned(size: number, maxBytes: number): number | bigint {
    if (size > maxBytes) this.fail(`integer of ${size} bytes where at most ${maxBytes} fit`);
    this.need(size);
    const b = this.buf;
    if (size <= 6) {
      let value = 0;
      for (let i = 0; i < size; i++) value = value * 256 + b[this.pos++];
      return value;
    }
    let value = 0n;
    for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(b[this.pos++]);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private readFloat(size: number, expected: number): number {
    if (size !== expected) this.fail(`${expected === 8 ? 'double' : 'float'} of size ${size}`);
    this.need(size);
    const value = size === 8 ? this.buf.readDoubleBE(this.pos) : this.buf.readFloatBE(this.pos);
    this.pos += size;
    return value;
  }

  private fail(message: string): never {
    throw new FlowlensError(ERR.ENRICH_DB_INVALID, `${this.source}: invalid MaxMind DB: ${message}`);
  }
}

function isMap(value: MmdbValue): value is MmdbMap {
  return typeof value === 'object' && !(value instanceof Uint8Array) && !Array.isArray(value);
}

function readMetadata(meta: MmdbMap, fail: (message: string) => never): MmdbMetadata {
  const int = (key: string): number => {
    const value = meta[key];
    if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`metadata ${key} missing`);
    return value;
  };
  const nodeCount = int('node_count');
  const recordSize = int('record_size');
  const ipVersion = int('ip_version');
  if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) fail(`record size ${recordSize}`);
  if (ipVersion !== 4 && ipVersion !== 6) fail(`ip version ${ipVersion}`);
  if (int('binary_format_major_version') !== 2) fail('binary format major version is not 2');
  const languages = Array.isArray(meta.languages)
    ? meta.languages.filter((l): l is string => typeof l === 'string')
    : [];
  const description: Record<string, string> = {};
  const d = meta.description;
  if (d !== undefined && isMap(d)) {
    for (const [k, v] of Object.entries(d)) if (typeof v === 'string') description[k] = v;
  }
  const epoch = meta.build_epoch;
  return {
    nodeCount,
    recordSize,
    ipVersion,
    databaseType: typeof meta.database_type === 'string' ? meta.database_type : '',
    buildEpoch: typeof epoch === 'number' ? epoch : Number(epoch ?? 0),
    languages,
    description,
  };
}

/** Opens an .mmdb file already read into memory; throws FLOWLENS_ERR_ENRICH_DB_INVALID when it is not one. */
export function createMmdbReader(buf: Buffer, source: string): MmdbReader {
  return new MmdbReader(buf, source);
}
