/**
 * Zero-copy DNS message reader (RFC 1035 §4.1): the header, the first question and, on demand,
 * the answer records, read in place from the packet bytes into a reused `DnsMessage`.
 *
 * Contract: never throws for any bytes. Each reader returns null when it read what it was asked
 * for, or a `DnsParseError` saying where it stopped; fields read before the problem stay set.
 * Names follow compression pointers (RFC 1035 §4.1.4) only to offsets before the name and before
 * every earlier jump, at most MAX_POINTERS of them, so a crafted loop ends with 'dns-name-loop'. Only names, addresses and
 * TXT strings allocate (the strings returned).
 */
import { formatIpv4, formatIpv6 } from '../../model/index.js';

export type DnsParseError =
  | 'dns-truncated-header'
  | 'dns-truncated-question'
  | 'dns-truncated-record'
  | 'dns-bad-label'
  | 'dns-name-loop'
  | 'dns-name-too-long';

export interface DnsMessage {
  id: number;
  /** The 16-bit flags word: QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE. */
  flags: number;
  response: boolean;
  opcode: number;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
  /** First question, '' and 0 when QDCOUNT is 0 or it could not be read. */
  qname: string;
  qtype: number;
  qclass: number;
  /** Offset in the data of the answer section, -1 when the question section was not read. */
  answersOffset: number;
}

export function createDnsMessage(): DnsMessage {
  return {
    id: 0,
    flags: 0,
    response: false,
    opcode: 0,
    rcode: 0,
    qdcount: 0,
    ancount: 0,
    nscount: 0,
    arcount: 0,
    qname: '',
    qtype: 0,
    qclass: 0,
    answersOffset: -1,
  };
}

const HEADER_LENGTH = 12;
/** RFC 1035 §2.3.4: a name is at most 255 octets on the wire. */
const MAX_NAME_OCTETS = 255;
const MAX_POINTERS = 64;
/** TXT text kept per record, in characters. */
const MAX_TXT_CHARS = 255;

const TYPE_A = 1;
const TYPE_NS = 2;
const TYPE_CNAME = 5;
const TYPE_PTR = 12;
const TYPE_MX = 15;
const TYPE_TXT = 16;
const TYPE_AAAA = 28;
const TYPE_DNAME = 39;

/** Result slots of `readName` (the reader is synchronous, so one set serves every call). */
let nameText = '';
let nameNext = 0;
const CHAR_CODES: number[] = [];

/**
 * Reads the name at `offset` of the message that starts at `start` and ends at `end`. Sets
 * `nameText` (presentation form: labels joined by '.', '.' and bytes outside 0x21–0x7e escaped
 * as RFC 4343 `\.` / `\DDD`; the root is '.') and `nameNext` (the offset after the name where it
 * starts, i.e. after the first pointer when compressed).
 */
function readName(data: Uint8Array, start: number, end: number, offset: number): DnsParseError | null {
  let o = offset;
  let next = -1;
  let pointers = 0;
  let limit = offset;
  let octets = 0;
  CHAR_CODES.length = 0;
  for (;;) {
    if (o >= end) return 'dns-truncated-record';
    const length = data[o];
    if (length === 0) {
      o++;
      break;
    }
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      if (o + 1 >= end) return 'dns-truncated-record';
      const target = start + (((length & 0x3f) << 8) | data[o + 1]);
      if (next < 0) next = o + 2;
      // Each jump lands before the previous one (and before the name): a loop cannot last.
      if (target >= limit || ++pointers > MAX_POINTERS) return 'dns-name-loop';
      limit = target;
      o = target;
      continue;
    }
    // 0x40 and 0x80 are extended label types (RFC 6891 §5) nobody uses.
    if (kind !== 0) return 'dns-bad-label';
    octets += length + 1;
    if (octets > MAX_NAME_OCTETS) return 'dns-name-too-long';
    if (o + 1 + length > end) return 'dns-truncated-record';
    if (CHAR_CODES.length > 0) CHAR_CODES.push(0x2e);
    for (let i = o + 1; i <= o + length; i++) {
      const c = data[i];
      if (c === 0x2e || c === 0x5c) CHAR_CODES.push(0x5c, c);
      else if (c > 0x20 && c < 0x7f) CHAR_CODES.push(c);
      else CHAR_CODES.push(0x5c, 0x30 + ((c / 100) | 0), 0x30 + (((c / 10) | 0) % 10), 0x30 + (c % 10));
    }
    o += 1 + length;
  }
  nameText = CHAR_CODES.length === 0 ? '.' : String.fromCharCode.apply(null, CHAR_CODES);
  nameNext = next >= 0 ? next : o;
  return null;
}

/**
 * Reads the header and the first question of the message in `data[start, start + length)`.
 * Returns null when both were read (or QDCOUNT is 0).
 */
export function parseDnsMessage(
  data: Uint8Array,
  start: number,
  length: number,
  out: DnsMessage,
): DnsParseError | null {
  out.qname = '';
  out.qtype = 0;
  out.qclass = 0;
  out.answersOffset = -1;
  const end = Math.min(start + length, data.length);
  if (end - start < HEADER_LENGTH) return 'dns-truncated-header';
  const flags = (data[start + 2] << 8) | data[start + 3];
  out.id = (data[start] << 8) | data[start + 1];
  out.flags = flags;
  out.response = (flags & 0x8000) !== 0;
  out.opcode = (flags >>> 11) & 0x0f;
  out.rcode = flags & 0x0f;
  out.qdcount = (data[start + 4] << 8) | data[start + 5];
  out.ancount = (data[start + 6] << 8) | data[start + 7];
  out.nscount = (data[start + 8] << 8) | data[start + 9];
  out.arcount = (data[start + 10] << 8) | data[start + 11];
  let o = start + HEADER_LENGTH;
  for (let q = 0; q < out.qdcount; q++) {
    const error = readName(data, start, end, o);
    if (error !== null) return error === 'dns-truncated-record' ? 'dns-truncated-question' : error;
    o = nameNext;
    if (o + 4 > end) return 'dns-truncated-question';
    if (q === 0) {
      out.qname = nameText;
      out.qtype = (data[o] << 8) | data[o + 1];
      out.qclass = (data[o + 2] << 8) | data[o + 3];
    }
    o += 4;
  }
  out.answersOffset = o;
  return null;
}

/**
 * Appends to `answers` the data of the message's answer records (A/AAAA addresses, CNAME, PTR,
 * NS, MX and DNAME names, TXT text), at most `max` values; other record types are skipped.
 * `message` must come from `parseDnsMessage` on the same bytes with no error.
 */
export function readDnsAnswers(
  data: Uint8Array,
  start: number,
  length: number,
  message: DnsMessage,
  max: number,
  answers: string[],
): DnsParseError | null {
  const end = Math.min(start + length, data.length);
  let o = message.answersOffset;
  if (o < 0) return 'dns-truncated-question';
  for (let a = 0; a < message.ancount && answers.length < max; a++) {
    const error = readName(data, start, end, o);
    if (error !== null) return error;
    o = nameNext;
    if (o + 10 > end) return 'dns-truncated-record';
    const type = (data[o] << 8) | data[o + 1];
    const rdlength = (data[o + 8] << 8) | data[o + 9];
    const rdata = o + 10;
    const rdEnd = rdata + rdlength;
    if (rdEnd > end) return 'dns-truncated-record';
    if (type === TYPE_A && rdlength === 4) answers.push(formatIpv4(data, rdata));
    else if (type === TYPE_AAAA && rdlength === 16) answers.push(formatIpv6(data, rdata));
    else if (type === TYPE_CNAME || type === TYPE_PTR || type === TYPE_NS || type === TYPE_DNAME) {
      const nameError = readName(data, start, rdEnd, rdata);
      if (nameError !== null) return nameError;
      answers.push(nameText);
    } else if (type === TYPE_MX && rdlength > 2) {
      const nameError = readName(data, start, rdEnd, rdata + 2);
      if (nameError !== null) return nameError;
      answers.push(nameText);
    } else if (type === TYPE_TXT) {
      answers.push(readTxt(data, rdata, rdEnd));
    }
    o = rdEnd;
  }
  return null;
}

/** TXT RDATA (RFC 1035 §3.3.14): its character-strings concatenated, cut at MAX_TXT_CHARS. */
function readTxt(data: Uint8Array, from: number, to: number): string {
  CHAR_CODES.length = 0;
  let o = from;
  while (o < to && CHAR_CODES.length < MAX_TXT_CHARS) {
    const length = data[o];
    const stop = Math.min(o + 1 + length, to);
    for (let i = o + 1; i < stop && CHAR_CODES.length < MAX_TXT_CHARS; i++) {
      const c = data[i];
      CHAR_CODES.push(c >= 0x20 && c < 0x7f ? c : 0x3f);
    }
    o = stop;
  }
  return String.fromCharCode.apply(null, CHAR_CODES);
}
