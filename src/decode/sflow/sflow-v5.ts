/**
 * sFlow version 5 datagrams (https://sflow.org/sflow_version_5.txt): flow samples and expanded
 * flow samples become flow records (one sampled packet each, scaled by the sampling rate), their
 * raw packet headers decoded with the engine's own `decodeFrame`; counter samples with generic
 * interface counters become `InterfaceCounterRecord`s. Enterprise-specific samples and records
 * are skipped by length.
 */
import {
  type DecodedPacket,
  type Frame,
  formatIp,
  type InterfaceCounterRecord,
  IP_PROTO,
  LINKTYPE,
  PACKET_KIND,
} from '../../model/index.js';
import { ERR } from '../../shared/index.js';
import {
  checkSequence,
  domainOf,
  type ExportContext,
  emitFlow,
  exportError,
  type FlowExportError,
  type RecordScratch,
  readUint,
  resetDomain,
  resetScratch,
} from '../flow-export/core/index.js';
import { decodeFrame } from '../index.js';

/** Domain key family for sFlow sub-agents (distinct from NetFlow's 5, 9 and IPFIX's 10). */
const SFLOW_DOMAIN = 0x5f;
/** Bound on samples and records per container, far above what fits in a datagram. */
const MAX_ITEMS = 4096;

/** Reused per decoder: the frame handed to `decodeFrame` and its result. */
export interface SflowScratch {
  frame: Frame;
  packet: DecodedPacket;
}

/** Decodes one sFlow v5 datagram (`d` is exactly the UDP payload). Never throws. */
export function decodeSflowV5(
  d: Uint8Array,
  ctx: ExportContext,
  s: RecordScratch,
  scratch: SflowScratch,
): FlowExportError | undefined {
  const end = d.length;
  if (end < 8) return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'sFlow header cut short', end);
  const addressType = readUint(d, 4, 4);
  const addressLength = addressType === 1 ? 4 : addressType === 2 ? 16 : 0;
  if (addressLength === 0) {
    return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, `sFlow agent address type ${addressType}`, 4);
  }
  let o = 8 + addressLength;
  if (o + 16 > end) return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'sFlow header cut short', end);
  const agent = formatIp(d, 8, addressLength === 4 ? 4 : 6);
  const subAgent = readUint(d, o, 4);
  const sequence = readUint(d, o + 4, 4);
  const samples = readUint(d, o + 12, 4);
  o += 16;
  if (samples > MAX_ITEMS || samples * 8 > end - o) {
    return exportError(ERR.FLOW_EXPORT_BAD_LENGTH, `sFlow sample count ${samples} out of range`, o - 4);
  }
  const domain = domainOf(ctx.state, SFLOW_DOMAIN, subAgent);
  ctx.domain = domain;
  ctx.sourceKind = 'sflow';
  ctx.exportTimeSec = ctx.receivedAtSec;
  ctx.sysUptimeMs = -1;
  ctx.agent = agent;
  if (checkSequence(ctx.state, domain, sequence, (sequence + 1) >>> 0)) resetDomain(ctx.state, domain);
  for (let i = 0; i < samples; i++) {
    if (o + 8 > end) return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'sFlow sample header cut short', o);
    const format = readUint(d, o, 4);
    const length = readUint(d, o + 4, 4);
    const body = o + 8;
    if (length > end - body) {
      return exportError(ERR.FLOW_EXPORT_BAD_LENGTH, `sFlow sample length ${length} out of bounds`, o + 4);
    }
    const sampleEnd = body + length;
    let error: FlowExportError | undefined;
    // Enterprise 0 (standard) only: format 1 flow, 2 counters, 3 expanded flow, 4 expanded counters.
    if (format === 1 || format === 3) error = flowSample(d, body, sampleEnd, format === 3, ctx, s, scratch);
    else if (format === 2 || format === 4)
      error = counterSample(d, body, sampleEnd, format === 4, ctx, agent, subAgent);
    if (error !== undefined) return error;
    o = sampleEnd;
  }
  return undefined;
}

/** Input/output interface: compact samples hold a 2-bit format and a 30-bit value (0: an ifIndex). */
function ifIndexOf(format: number, value: number): number {
  return format === 0 ? value : 0;
}

function flowSample(
  d: Uint8Array,
  o: number,
  end: number,
  expanded: boolean,
  ctx: ExportContext,
  s: RecordScratch,
  scratch: SflowScratch,
): FlowExportError | undefined {
  const headerLength = expanded ? 44 : 32;
  if (o + headerLength > end) return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, 'flow sample cut short', o);
  let rate: number;
  let inputIf: number;
  let outputIf: number;
  let records: number;
  if (expanded) {
    rate = readUint(d, o + 12, 4);
    inputIf = ifIndexOf(readUint(d, o + 24, 4), readUint(d, o + 28, 4));
    outputIf = ifIndexOf(readUint(d, o + 32, 4), readUint(d, o + 36, 4));
    records = readUint(d, o + 40, 4);
  } else {
    rate = readUint(d, o + 8, 4);
    const input = readUint(d, o + 20, 4);
    const output = readUint(d, o + 24, 4);
    inputIf = ifIndexOf(input >>> 30, input & 0x3fffffff);
    outputIf = ifIndexOf(output >>> 30, output & 0x3fffffff);
    records = readUint(d, o + 28, 4);
  }
  o += headerLength;
  if (records > MAX_ITEMS)
    return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, `flow sample with ${records} records`, o - 4);
  resetScratch(s);
  let vlan = 0;
  for (let i = 0; i < records; i++) {
    if (o + 8 > end) return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, 'flow record header cut short', o);
    const format = readUint(d, o, 4);
    const length = readUint(d, o + 4, 4);
    const body = o + 8;
    if (length > end - body)
      return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, 'flow record length out of bounds', o + 4);
    if (format === 1) rawHeader(d, body, body + length, s, scratch);
    else if (format === 3 && length >= 32 && s.ipVersion === 0) sampledIp(d, body, 4, s);
    else if (format === 4 && length >= 56 && s.ipVersion === 0) sampledIp(d, body, 6, s);
    else if (format === 1001 && length >= 16) vlan = readUint(d, body, 4) & 0xfff;
    o = body + length;
  }
  if (s.ipVersion === 0) return undefined;
  if (s.vlan === 0) s.vlan = vlan;
  s.packets = 1;
  s.inputIf = inputIf;
  s.outputIf = outputIf;
  ctx.headerSamplingRate = rate;
  emitFlow(s, ctx);
  return undefined;
}

/** Raw packet header record: protocol, frame length, stripped, header length, header bytes. */
function rawHeader(d: Uint8Array, o: number, end: number, s: RecordScratch, scratch: SflowScratch): void {
  if (o + 16 > end) return;
  const protocol = readUint(d, o, 4);
  const frameLength = readUint(d, o + 4, 4);
  const headerLength = readUint(d, o + 12, 4);
  const start = o + 16;
  if (headerLength > end - start) return;
  // Header protocols: 1 Ethernet, 11 IPv4, 12 IPv6 (sFlow v5 §5.3 header_protocol).
  const linkType =
    protocol === 1
      ? LINKTYPE.ETHERNET
      : protocol === 11
        ? LINKTYPE.IPV4
        : protocol === 12
          ? LINKTYPE.IPV6
          : -1;
  if (linkType < 0) return;
  const { frame, packet } = scratch;
  frame.data = d;
  frame.offset = start;
  frame.capturedLength = headerLength;
  frame.originalLength = frameLength;
  frame.linkType = linkType;
  decodeFrame(frame, packet);
  if (packet.kind !== PACKET_KIND.IP) return;
  s.ipVersion = packet.ipVersion;
  s.addrData = d;
  s.srcAddrOffset = packet.srcAddrOffset;
  s.dstAddrOffset = packet.dstAddrOffset;
  s.protocol = packet.protocol;
  s.vlan = packet.vlanId;
  s.bytes = packet.ipBytes;
  s.frameBytes = frameLength;
  if (packet.hasPorts) {
    if (packet.protocol === IP_PROTO.ICMP || packet.protocol === IP_PROTO.ICMPV6) {
      s.icmpTypeCode = (packet.srcPort << 8) | packet.dstPort;
    } else {
      s.srcPort = packet.srcPort;
      s.dstPort = packet.dstPort;
    }
  }
  s.tcpFlags = packet.tcpFlags;
}

/** Sampled IPv4 (format 3) / IPv6 (format 4) data: length, protocol, addresses, ports, flags. */
function sampledIp(d: Uint8Array, o: number, version: number, s: RecordScratch): void {
  const length = version === 4 ? 4 : 16;
  s.ipVersion = version;
  s.addrData = d;
  s.bytes = readUint(d, o, 4);
  s.protocol = readUint(d, o + 4, 4) & 0xff;
  s.srcAddrOffset = o + 8;
  s.dstAddrOffset = o + 8 + length;
  const p = o + 8 + 2 * length;
  const srcPort = readUint(d, p, 4) & 0xffff;
  const dstPort = readUint(d, p + 4, 4) & 0xffff;
  if (s.protocol === IP_PROTO.ICMP || s.protocol === IP_PROTO.ICMPV6)
    s.icmpTypeCode = (srcPort << 8) | dstPort;
  else {
    s.srcPort = srcPort;
    s.dstPort = dstPort;
  }
  s.tcpFlags = readUint(d, p + 8, 4) & 0xff;
}

const GENERIC_COUNTERS_LENGTH = 88;

function counterSample(
  d: Uint8Array,
  o: number,
  end: number,
  expanded: boolean,
  ctx: ExportContext,
  agent: string,
  subAgent: number,
): FlowExportError | undefined {
  const headerLength = expanded ? 16 : 12;
  if (o + headerLength > end) return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, 'counter sample cut short', o);
  const sequence = readUint(d, o, 4);
  const records = readUint(d, o + headerLength - 4, 4);
  o += headerLength;
  if (records > MAX_ITEMS)
    return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, `counter sample with ${records} records`, o - 4);
  for (let i = 0; i < records; i++) {
    if (o + 8 > end) return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, 'counter record header cut short', o);
    const format = readUint(d, o, 4);
    const length = readUint(d, o + 4, 4);
    const body = o + 8;
    if (length > end - body)
      return exportError(ERR.FLOW_EXPORT_BAD_SAMPLE, 'counter record length out of bounds', o + 4);
    if (format === 1 && length >= GENERIC_COUNTERS_LENGTH && ctx.sink.onCounters !== undefined) {
      ctx.sink.onCounters(genericCounters(d, body, ctx, agent, subAgent, sequence));
      ctx.state.counters.counterRecords++;
    }
    o = body + length;
  }
  return undefined;
}

/** Generic interface counters (counter record format 1, 88 bytes). */
function genericCounters(
  d: Uint8Array,
  o: number,
  ctx: ExportContext,
  agent: string,
  subAgentId: number,
  sequence: number,
): InterfaceCounterRecord {
  return {
    exporter: ctx.state.exporter,
    agent,
    subAgentId,
    ts: ctx.receivedAtSec,
    sequence,
    ifIndex: readUint(d, o, 4),
    ifType: readUint(d, o + 4, 4),
    ifSpeed: readUint(d, o + 8, 8),
    ifDirection: readUint(d, o + 16, 4),
    ifStatus: readUint(d, o + 20, 4),
    ifInOctets: readUint(d, o + 24, 8),
    ifInUcastPkts: readUint(d, o + 32, 4),
    ifInMulticastPkts: readUint(d, o + 36, 4),
    ifInBroadcastPkts: readUint(d, o + 40, 4),
    ifInDiscards: readUint(d, o + 44, 4),
    ifInErrors: readUint(d, o + 48, 4),
    ifInUnknownProtos: readUint(d, o + 52, 4),
    ifOutOctets: readUint(d, o + 56, 8),
    ifOutUcastPkts: readUint(d, o + 64, 4),
    ifOutMulticastPkts: readUint(d, o + 68, 4),
    ifOutBroadcastPkts: readUint(d, o + 72, 4),
    ifOutDiscards: readUint(d, o + 76, 4),
    ifOutErrors: readUint(d, o + 80, 4),
    ifPromiscuousMode: readUint(d, o + 84, 4),
  };
}
