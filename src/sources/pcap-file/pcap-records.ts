/**
 * Reads classic pcap (draft-ietf-opsawg-pcap): the 24-byte file header, then 16-byte record
 * headers each followed by caplen bytes. This is the hot path: one DataView per buffer, the one
 * reused frame, no allocation per record.
 */
import { ERR } from '../../shared/errors.js';
import { MAX_RECORD_BYTES, type ParseContext, type RecordReader } from './record-reader.js';

const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
/** libpcap's and Wireshark's largest accepted packet, whatever the header's snaplen says. */
const DEFAULT_MAX_CAPLEN = 262144;

/** `magic` is the first 4 bytes read little-endian; null when it is no pcap magic number. */
export function pcapMagic(magic: number): { littleEndian: boolean; nanosecond: boolean } | null {
  // Section 4: a1b2c3d4 = microseconds, a1b23c4d = nanoseconds, in the writer's byte order.
  switch (magic) {
    case 0xa1b2c3d4:
      return { littleEndian: true, nanosecond: false };
    case 0xd4c3b2a1:
      return { littleEndian: false, nanosecond: false };
    case 0xa1b23c4d:
      return { littleEndian: true, nanosecond: true };
    case 0x4d3cb2a1:
      return { littleEndian: false, nanosecond: true };
    default:
      return null;
  }
}

export function createPcapReader(
  ctx: ParseContext,
  littleEndian: boolean,
  nanosecond: boolean,
): RecordReader {
  const le = littleEndian;
  const unitsPerSecond = nanosecond ? 1e9 : 1e6;
  // Taken once here, not at each `run`: the first `run` executes before V8 records feedback for
  // it, so property accesses made only at its start would throw away the compiled loop at the
  // next chunk.
  const frame = ctx.frame;
  const sink = ctx.sink;
  let inFileHeader = true;
  let linkType = 0;
  let maxCaplen = DEFAULT_MAX_CAPLEN;

  function readFileHeader(view: DataView, pos: number): void {
    // Section 4: SnapLen at 16; LinkType in the low 16 bits of the field at 20 (the upper bits
    // carry FCS information).
    const snaplen = view.getUint32(pos + 16, le);
    maxCaplen = Math.min(Math.max(snaplen, DEFAULT_MAX_CAPLEN), MAX_RECORD_BYTES);
    linkType = view.getUint32(pos + 20, le) & 0xffff;
    ctx.addLinkType(linkType);
    frame.linkType = linkType;
    frame.interfaceId = 0;
    inFileHeader = false;
  }

  function tooLarge(caplen: number, fileOffset: number): void {
    const index = ctx.frames + 1;
    ctx.fail(
      ERR.PCAP_RECORD_TOO_LARGE,
      `${ctx.file}: packet ${index} at byte ${fileOffset} claims ${caplen} captured bytes, more than the ` +
        `${maxCaplen}-byte limit: the file is damaged, reading stops here`,
      fileOffset,
      index,
    );
  }

  function caplenExceedsLen(caplen: number, len: number, fileOffset: number): void {
    const index = ctx.frames + 1;
    ctx.warn(
      ERR.PCAP_CAPLEN_EXCEEDS_LEN,
      `${ctx.file}: packet ${index} at byte ${fileOffset} has ${caplen} captured bytes but an original length of ${len}`,
      fileOffset,
      index,
    );
  }

  const reader: RecordReader = {
    format: 'pcap',
    get inFileHeader() {
      return inFileHeader;
    },

    sizeAt(_buf, view, pos, avail, fileOffset) {
      if (inFileHeader) return FILE_HEADER_LENGTH;
      if (avail < RECORD_HEADER_LENGTH) return RECORD_HEADER_LENGTH;
      // Section 5: seconds, sub-seconds, CapLen, OrigLen, then CapLen bytes.
      const caplen = view.getUint32(pos + 8, le);
      if (caplen > maxCaplen) {
        tooLarge(caplen, fileOffset);
        return -1;
      }
      return RECORD_HEADER_LENGTH + caplen;
    },

    consume(buf, view, pos, size, fileOffset) {
      if (inFileHeader) {
        readFileHeader(view, pos);
        return;
      }
      const len = view.getUint32(pos + 12, le);
      const caplen = size - RECORD_HEADER_LENGTH;
      if (caplen > len) caplenExceedsLen(caplen, len, fileOffset);
      frame.data = buf;
      frame.offset = pos + RECORD_HEADER_LENGTH;
      frame.capturedLength = caplen;
      frame.originalLength = len;
      frame.timestamp = view.getUint32(pos, le) + view.getUint32(pos + 4, le) / unitsPerSecond;
      frame.index = ++ctx.frames;
      sink.onFrame(frame);
    },

    run(buf, view, pos, end, base) {
      if (inFileHeader) {
        if (end - pos < FILE_HEADER_LENGTH) return pos;
        readFileHeader(view, pos);
        pos += FILE_HEADER_LENGTH;
      }
      const limit = maxCaplen;
      while (end - pos >= RECORD_HEADER_LENGTH) {
        const caplen = view.getUint32(pos + 8, le);
        if (caplen > limit) {
          tooLarge(caplen, base + pos);
          return pos;
        }
        const next = pos + RECORD_HEADER_LENGTH + caplen;
        if (next > end) break;
        const len = view.getUint32(pos + 12, le);
        if (caplen > len) caplenExceedsLen(caplen, len, base + pos);
        // Per record, not once per `run`, for the reason given where `frame` is taken.
        frame.data = buf;
        frame.offset = pos + RECORD_HEADER_LENGTH;
        frame.capturedLength = caplen;
        frame.originalLength = len;
        frame.timestamp = view.getUint32(pos, le) + view.getUint32(pos + 4, le) / unitsPerSecond;
        frame.index = ++ctx.frames;
        sink.onFrame(frame);
        pos = next;
      }
      return pos;
    },
  };
  return reader;
}
