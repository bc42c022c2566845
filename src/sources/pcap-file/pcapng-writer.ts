/**
 * A minimal in-memory pcapng writer (draft-ietf-opsawg-pcapng) for tests and fixtures: several
 * sections of either byte order, interfaces with their own link type, if_tsresol and
 * if_tsoffset, Enhanced, Simple and obsolete Packet Blocks, comments, and arbitrary blocks.
 */

export interface PcapngSectionOptions {
  bigEndian?: boolean;
  /** opt_comment of the Section Header Block. */
  comment?: string;
}

export interface PcapngInterfaceOptions {
  linkType: number;
  /** 0 (the default) means no limit. */
  snaplen?: number;
  /**
   * Raw if_tsresol byte (option 9): bit 7 clear → 10^-v s, set → 2^-(v & 0x7f) s. Omitted: the
   * option is not written and readers assume microseconds.
   */
  tsresol?: number;
  /** if_tsoffset (option 14), whole seconds added to every timestamp. */
  tsoffset?: number;
  name?: string;
  comment?: string;
}

export interface PcapngPacketOptions {
  /** Defaults to the captured length. */
  originalLength?: number;
  comment?: string;
}

export interface PcapngWriter {
  /** Starts a new section (a Section Header Block); interface ids restart at 0. */
  section(options?: PcapngSectionOptions): void;
  /** Writes an Interface Description Block and returns its id within the current section. */
  addInterface(options: PcapngInterfaceOptions): number;
  /** Enhanced Packet Block (type 6). */
  writeEnhanced(
    interfaceId: number,
    bytes: Uint8Array,
    timestampSeconds: number,
    options?: PcapngPacketOptions,
  ): void;
  /** Enhanced Packet Block on interface 0, mirroring `PcapWriter.writePacket`. */
  writePacket(bytes: Uint8Array, timestampSeconds: number, originalLength?: number): void;
  /** Simple Packet Block (type 3): no interface id (always 0) and no timestamp. */
  writeSimple(bytes: Uint8Array, originalLength?: number): void;
  /** Obsolete Packet Block (type 2), 16-bit interface id. */
  writeObsolete(
    interfaceId: number,
    bytes: Uint8Array,
    timestampSeconds: number,
    options?: PcapngPacketOptions,
  ): void;
  /** Any block, e.g. an unknown type; the body is padded to 32 bits. */
  writeBlock(type: number, body: Uint8Array): void;
  toBuffer(): Buffer;
}

interface Interface {
  unitsPerSecond: bigint;
  tsoffset: number;
}

type Option = [code: number, value: Uint8Array];

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;

const pad4 = (n: number): number => (n + 3) & ~3;

/** Starts a new writer with its first section; `linkType` also adds interface 0. */
export function createPcapngWriter(options: PcapngSectionOptions & { linkType?: number } = {}): PcapngWriter {
  const parts: Buffer[] = [];
  let le = true;
  let interfaces: Interface[] = [];

  function block(type: number, fields: Buffer, data: Uint8Array | null, opts: Option[]): void {
    let optionsLength = 0;
    for (const [, value] of opts) optionsLength += 4 + pad4(value.length);
    if (opts.length > 0) optionsLength += 4;
    const dataLength = data ? pad4(data.length) : 0;
    const total = 12 + fields.length + dataLength + optionsLength;
    const out = Buffer.alloc(total);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    view.setUint32(0, type, le);
    view.setUint32(4, total, le);
    out.set(fields, 8);
    let at = 8 + fields.length;
    if (data) out.set(data, at);
    at += dataLength;
    for (const [code, value] of opts) {
      view.setUint16(at, code, le);
      view.setUint16(at + 2, value.length, le);
      out.set(value, at + 4);
      at += 4 + pad4(value.length);
    }
    // Options end with opt_endofopt (code 0, length 0), already zero.
    view.setUint32(total - 4, total, le);
    parts.push(out);
  }

  function fields(size: number, fill: (view: DataView) => void): Buffer {
    const out = Buffer.alloc(size);
    fill(new DataView(out.buffer, out.byteOffset, out.byteLength));
    return out;
  }

  const comment = (text: string | undefined): Option[] => (text ? [[1, Buffer.from(text, 'utf8')]] : []);

  function timestamp(interfaceId: number, seconds: number): [hi: number, lo: number] {
    const iface = interfaces[interfaceId] ?? { unitsPerSecond: 1_000_000n, tsoffset: 0 };
    const t = seconds - iface.tsoffset;
    const whole = Math.floor(t);
    const fraction = BigInt(Math.round((t - whole) * Number(iface.unitsPerSecond)));
    const units = BigInt(whole) * iface.unitsPerSecond + fraction;
    return [Number((units >> 32n) & 0xffffffffn), Number(units & 0xffffffffn)];
  }

  function packet(
    kind: 2 | 6,
    interfaceId: number,
    bytes: Uint8Array,
    ts: number,
    opts: PcapngPacketOptions,
  ) {
    const [hi, lo] = timestamp(interfaceId, ts);
    const head = fields(20, (v) => {
      if (kind === EPB) v.setUint32(0, interfaceId, le);
      else v.setUint16(0, interfaceId, le); // OPB: if id u16, drops count u16.
      v.setUint32(4, hi, le);
      v.setUint32(8, lo, le);
      v.setUint32(12, bytes.length, le);
      v.setUint32(16, opts.originalLength ?? bytes.length, le);
    });
    block(kind, head, bytes, comment(opts.comment));
  }

  const writer: PcapngWriter = {
    section(sectionOptions = {}) {
      le = !sectionOptions.bigEndian;
      interfaces = [];
      const head = fields(16, (v) => {
        v.setUint32(0, 0x1a2b3c4d, le); // Byte-order magic.
        v.setUint16(4, 1, le);
        v.setUint16(6, 0, le);
        v.setInt32(8, -1, le); // Section length -1: not given.
        v.setInt32(12, -1, le);
      });
      block(SHB, head, null, comment(sectionOptions.comment));
    },
    addInterface(ifOptions) {
      const opts: Option[] = [];
      if (ifOptions.name) opts.push([2, Buffer.from(ifOptions.name, 'utf8')]);
      let unitsPerSecond = 1_000_000n;
      if (ifOptions.tsresol !== undefined) {
        const v = ifOptions.tsresol;
        unitsPerSecond = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
        opts.push([9, Uint8Array.of(v)]);
      }
      if (ifOptions.tsoffset !== undefined) {
        opts.push([14, fields(8, (v) => v.setBigInt64(0, BigInt(ifOptions.tsoffset ?? 0), le))]);
      }
      opts.push(...comment(ifOptions.comment));
      const head = fields(8, (v) => {
        v.setUint16(0, ifOptions.linkType, le);
        v.setUint32(4, ifOptions.snaplen ?? 0, le);
      });
      block(IDB, head, null, opts);
      interfaces.push({ unitsPerSecond, tsoffset: ifOptions.tsoffset ?? 0 });
      return interfaces.length - 1;
    },
    writeEnhanced(interfaceId, bytes, ts, opts = {}) {
      packet(EPB, interfaceId, bytes, ts, opts);
    },
    writePacket(bytes, ts, originalLength) {
      packet(EPB, 0, bytes, ts, { originalLength });
    },
    writeObsolete(interfaceId, bytes, ts, opts = {}) {
      packet(OPB, interfaceId, bytes, ts, opts);
    },
    writeSimple(bytes, originalLength = bytes.length) {
      block(
        SPB,
        fields(4, (v) => v.setUint32(0, originalLength, le)),
        bytes,
        [],
      );
    },
    writeBlock(type, body) {
      block(type, Buffer.alloc(0), body, []);
    },
    toBuffer: () => Buffer.concat(parts),
  };
  writer.section(options);
  if (options.linkType !== undefined) writer.addInterface({ linkType: options.linkType });
  return writer;
}
