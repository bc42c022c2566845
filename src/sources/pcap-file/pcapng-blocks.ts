/**
 * Reads pcapng (draft-ietf-opsawg-pcapng): sections of either byte order, each with its own
 * interfaces (link type, snaplen, if_tsresol, if_tsoffset), and the packet blocks EPB, SPB and
 * the obsolete PB. Every other block (NRB, ISB, DSB, custom, unknown) is skipped by its length.
 */
import { ERR } from '../../shared/errors.js';
import { MAX_RECORD_BYTES, type ParseContext, type RecordReader } from './record-reader.js';

/** Section Header Block type: a palindrome, the same in either byte order (section 4.1). */
export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const TWO_POW_32 = 4294967296;

export function createPcapngReader(ctx: ParseContext): RecordReader {
  let le = true;
  // Interfaces of the current section, as parallel arrays reused across sections.
  let interfaces = 0;
  const ifLinkType: number[] = [];
  const ifSnaplen: number[] = [];
  const ifUnitsPerSecond: number[] = [];
  const ifOffset: number[] = [];
  /** Timestamp given to SPB frames, which carry none: the previous frame's (0 before any). */
  let lastTimestamp = 0;

  function bad(message: string, fileOffset: number, packetIndex: number | null = null): void {
    ctx.warn(ERR.PCAPNG_BAD_BLOCK, `${ctx.file}: ${message} at byte ${fileOffset}`, fileOffset, packetIndex);
  }

  function fatal(message: string, fileOffset: number): void {
    ctx.fail(
      ERR.PCAPNG_BAD_BLOCK,
      `${ctx.file}: ${message} at byte ${fileOffset}: the file is damaged, reading stops here`,
      fileOffset,
      ctx.frames + 1,
    );
  }

  function readSectionHeader(view: DataView, pos: number, size: number, fileOffset: number): void {
    // Section 4.1: byte-order magic at 8, major version at 12 (must be 1), minor, section length.
    le = view.getUint32(pos + 8, true) === BYTE_ORDER_MAGIC;
    const major = size < 28 ? -1 : view.getUint16(pos + 12, le);
    if (major !== 1) {
      fatal(`section header block of version ${major} (${size} bytes) is not readable`, fileOffset);
      return;
    }
    interfaces = 0;
  }

  function readInterface(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    size: number,
    fileOffset: number,
  ): void {
    // Section 4.2: LinkType u16 at 8, reserved, SnapLen u32 at 12, options from 16.
    if (size < 20) {
      bad(`interface description block of ${size} bytes is too short`, fileOffset);
      return;
    }
    const linkType = view.getUint16(pos + 8, le);
    let unitsPerSecond = 1e6;
    let offset = 0;
    const end = pos + size - 4;
    let at = pos + 16;
    while (at + 4 <= end) {
      const code = view.getUint16(at, le);
      const length = view.getUint16(at + 2, le);
      if (code === 0) break; // opt_endofopt
      if (at + 4 + length > end) {
        ctx.warn(
          ERR.PCAPNG_BAD_OPTION,
          `${ctx.file}: option ${code} of interface ${interfaces} overruns its block at byte ${fileOffset}`,
          fileOffset,
          null,
        );
        break;
      }
      if (code === OPT_IF_TSRESOL && length === 1) {
        // Bit 7 clear: 10^-v seconds per unit; set: 2^-(v & 0x7f).
        const v = buf[at + 4];
        unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      } else if (code === OPT_IF_TSOFFSET && length === 8) {
        // Signed 64-bit seconds added to every timestamp of the interface.
        const hi = view.getInt32(le ? at + 8 : at + 4, le);
        const lo = view.getUint32(le ? at + 4 : at + 8, le);
        offset = hi * TWO_POW_32 + lo;
      }
      at += 4 + ((length + 3) & ~3);
    }
    ifLinkType[interfaces] = linkType;
    ifSnaplen[interfaces] = view.getUint32(pos + 12, le);
    ifUnitsPerSecond[interfaces] = unitsPerSecond;
    ifOffset[interfaces] = offset;
    interfaces++;
    ctx.addLinkType(linkType);
  }

  /** Seconds since the epoch of a 64-bit count of interface units (EPB/OPB fields). */
  function timestamp(id: number, hi: number, lo: number): number {
    const perSecond = ifUnitsPerSecond[id];
    const units = hi * TWO_POW_32 + lo;
    let seconds: number;
    if (units <= Number.MAX_SAFE_INTEGER) {
      // Exact integer arithmetic, so the result is correctly rounded.
      const whole = Math.floor(units / perSecond);
      seconds = whole + (units - whole * perSecond) / perSecond;
    } else {
      seconds = hi * (TWO_POW_32 / perSecond) + lo / perSecond;
    }
    return seconds + ifOffset[id];
  }

  function emit(
    buf: Uint8Array,
    id: number,
    dataAt: number,
    caplen: number,
    len: number,
    ts: number,
    fileOffset: number,
  ): void {
    const index = ctx.frames + 1;
    if (caplen > len) {
      ctx.warn(
        ERR.PCAP_CAPLEN_EXCEEDS_LEN,
        `${ctx.file}: packet ${index} at byte ${fileOffset} has ${caplen} captured bytes but an original length of ${len}`,
        fileOffset,
        index,
      );
    }
    const frame = ctx.frame;
    frame.data = buf;
    frame.offset = dataAt;
    frame.capturedLength = caplen;
    frame.originalLength = len;
    frame.timestamp = ts;
    frame.linkType = ifLinkType[id];
    frame.interfaceId = id;
    frame.index = index;
    ctx.frames = index;
    lastTimestamp = ts;
    ctx.sink.onFrame(frame);
  }

  function knownInterface(id: number, fileOffset: number): boolean {
    if (id < interfaces) return true;
    const index = ctx.frames + 1;
    ctx.warn(
      ERR.PCAPNG_UNKNOWN_INTERFACE,
      `${ctx.file}: packet block at byte ${fileOffset} names interface ${id}, but its section describes ${interfaces}: block skipped`,
      fileOffset,
      index,
    );
    return false;
  }

  /** EPB (section 4.3) and obsolete PB (appendix A): same layout but for the interface id width. */
  function readPacket(buf: Uint8Array, view: DataView, pos: number, size: number, fileOffset: number): void {
    const type = view.getUint32(pos, le);
    const id = type === EPB ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
    const caplen = size < 32 ? -1 : view.getUint32(pos + 20, le);
    if (caplen < 0 || caplen > size - 32) {
      bad(
        `packet block of ${size} bytes has no room for its ${caplen} captured bytes`,
        fileOffset,
        ctx.frames + 1,
      );
    } else if (knownInterface(id, fileOffset)) {
      const ts = timestamp(id, view.getUint32(pos + 12, le), view.getUint32(pos + 16, le));
      emit(buf, id, pos + 28, caplen, view.getUint32(pos + 24, le), ts, fileOffset);
    }
  }

  /**
   * SPB (section 4.4): original length at 8, data from 12, always interface 0; caplen is
   * min(snaplen, original length, room in the block).
   */
  function readSimplePacket(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    size: number,
    fileOffset: number,
  ): void {
    if (size < 16) {
      bad(`simple packet block of ${size} bytes is too short`, fileOffset, ctx.frames + 1);
    } else if (knownInterface(0, fileOffset)) {
      const len = view.getUint32(pos + 8, le);
      const snaplen = ifSnaplen[0];
      let caplen = Math.min(len, size - 16);
      if (snaplen > 0 && snaplen < caplen) caplen = snaplen;
      emit(buf, 0, pos + 12, caplen, len, lastTimestamp, fileOffset);
    }
  }

  const reader: RecordReader = {
    format: 'pcapng',
    inFileHeader: false,

    sizeAt(_buf, view, pos, avail, fileOffset) {
      if (avail < 12) return 12;
      let order = le;
      if (view.getUint32(pos, true) === PCAPNG_SHB) {
        const magic = view.getUint32(pos + 8, true);
        if (magic !== BYTE_ORDER_MAGIC && magic !== BYTE_ORDER_MAGIC_SWAPPED) {
          fatal('section header block has no byte-order magic', fileOffset);
          return -1;
        }
        order = magic === BYTE_ORDER_MAGIC;
      }
      // Section 3.1: Block Total Length, a multiple of 4, at least 12.
      const size = view.getUint32(pos + 4, order);
      if (size < 12 || size % 4 !== 0 || size > MAX_RECORD_BYTES) {
        fatal(`block of type ${view.getUint32(pos, order)} claims a length of ${size} bytes`, fileOffset);
        return -1;
      }
      return size;
    },

    consume(buf, view, pos, size, fileOffset) {
      const type = view.getUint32(pos, le);
      if (type === PCAPNG_SHB) {
        readSectionHeader(view, pos, size, fileOffset);
        if (ctx.stopped) return;
      }
      if (view.getUint32(pos + size - 4, le) !== size) {
        fatal(`block of type ${type} ends with a length other than its own`, fileOffset);
        return;
      }
      switch (type) {
        case EPB:
        case OPB:
          readPacket(buf, view, pos, size, fileOffset);
          break;
        case SPB:
          readSimplePacket(buf, view, pos, size, fileOffset);
          break;
        case IDB:
          readInterface(buf, view, pos, size, fileOffset);
          break;
      }
    },

    run(buf, view, pos, end, base) {
      while (!ctx.stopped) {
        const avail = end - pos;
        const size = reader.sizeAt(buf, view, pos, avail, base + pos);
        if (size < 0 || size > avail) break;
        reader.consume(buf, view, pos, size, base + pos);
        if (ctx.stopped) break;
        pos += size;
      }
      return pos;
    },
  };
  return reader;
}
