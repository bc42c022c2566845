/**
 * The record scratch every flow-export decoder fills, and its conversion into an
 * `ExportedFlowRecord`: sampling resolution, scaling, timestamps, Community ID, state and end
 * reason. One scratch is reused per decoder; only the emitted record is allocated.
 */
import {
  type ConnState,
  communityIdAt,
  type ExportedFlowRecord,
  type FlowEndReason,
  formatIp,
  IP_PROTO,
  icmpPortPair,
  TCP_FLAG,
} from '../../../model/index.js';
import type { ExportContext } from './types.js';

/** Seconds between the NTP epoch (1900) and the Unix epoch. */
const NTP_UNIX_OFFSET = 2208988800;

export interface RecordScratch {
  bytes: number;
  packets: number;
  revBytes: number;
  revPackets: number;
  /** octetTotalCount / packetTotalCount, used when no delta count was exported (-1: absent). */
  totalBytes: number;
  totalPackets: number;
  revTotalBytes: number;
  revTotalPackets: number;
  protocol: number;
  tcpFlags: number;
  revTcpFlags: number;
  srcPort: number;
  dstPort: number;
  /** 0 until an address is read; 4 or 6 after. */
  ipVersion: number;
  addrData: Uint8Array;
  srcAddrOffset: number;
  dstAddrOffset: number;
  inputIf: number;
  outputIf: number;
  vlan: number;
  /** type << 8 | code, -1 when absent. */
  icmpTypeCode: number;
  /** Absolute times in seconds, -1 when absent. */
  startSec: number;
  endSec: number;
  /** sysUpTime-relative times in ms, -1 when absent. */
  firstUptimeMs: number;
  lastUptimeMs: number;
  /** Microseconds before the export time (IE 158/159), -1 when absent. */
  startDeltaUs: number;
  endDeltaUs: number;
  /** Sampling elements of this record; -1 when absent. */
  samplingInterval: number;
  samplerId: number;
  samplingSize: number;
  samplingPopulation: number;
  samplingPacketInterval: number;
  samplingPacketSpace: number;
  systemInitMs: number;
  /** IPFIX flowEndReason (IE 136), 0 when absent. */
  endReason: number;
  /** sFlow only: frame bytes on the wire of the sampled packet (0 otherwise). */
  frameBytes: number;
}

export function createRecordScratch(): RecordScratch {
  const s = {} as RecordScratch;
  s.addrData = new Uint8Array(0);
  resetScratch(s);
  return s;
}

export function resetScratch(s: RecordScratch): void {
  s.bytes = 0;
  s.packets = 0;
  s.revBytes = 0;
  s.revPackets = 0;
  s.totalBytes = -1;
  s.totalPackets = -1;
  s.revTotalBytes = -1;
  s.revTotalPackets = -1;
  s.protocol = 0;
  s.tcpFlags = 0;
  s.revTcpFlags = 0;
  s.srcPort = 0;
  s.dstPort = 0;
  s.ipVersion = 0;
  s.srcAddrOffset = 0;
  s.dstAddrOffset = 0;
  s.inputIf = 0;
  s.outputIf = 0;
  s.vlan = 0;
  s.icmpTypeCode = -1;
  s.startSec = -1;
  s.endSec = -1;
  s.firstUptimeMs = -1;
  s.lastUptimeMs = -1;
  s.startDeltaUs = -1;
  s.endDeltaUs = -1;
  s.samplingInterval = -1;
  s.samplerId = -1;
  s.samplingSize = -1;
  s.samplingPopulation = -1;
  s.samplingPacketInterval = -1;
  s.samplingPacketSpace = -1;
  s.systemInitMs = -1;
  s.endReason = 0;
  s.frameBytes = 0;
}

/**
 * The 1-in-N rate a record's own sampling elements state, or 0 when they state none.
 * n-out-of-N (RFC 5477 samplingSize/samplingPopulation) wins over samplingInterval
 * (v9 SAMPLING_INTERVAL / FLOW_SAMPLER_RANDOM_INTERVAL), then packet interval/space.
 */
export function recordSamplingRate(s: RecordScratch): number {
  if (s.samplingSize > 0 && s.samplingPopulation > 0) return s.samplingPopulation / s.samplingSize;
  if (s.samplingInterval > 0) return s.samplingInterval;
  if (s.samplingPacketInterval > 0 && s.samplingPacketSpace >= 0) {
    return (s.samplingPacketInterval + s.samplingPacketSpace) / s.samplingPacketInterval;
  }
  return 0;
}

/** Record's rate, else its sampler's, else the header's, else the domain's latest, else 1. */
function resolveRate(s: RecordScratch, ctx: ExportContext): number {
  let rate = recordSamplingRate(s);
  if (rate > 0) return rate;
  if (s.samplerId >= 0) {
    rate = ctx.domain.samplers.get(s.samplerId) ?? 0;
    if (rate > 0) return rate;
  }
  if (ctx.headerSamplingRate > 0) return ctx.headerSamplingRate;
  if (ctx.domain.defaultSamplingRate > 0) return ctx.domain.defaultSamplingRate;
  return 1;
}

/** Seconds since the Unix epoch of a sysUpTime value, given the export's uptime and time. */
function uptimeToSec(uptimeMs: number, ctx: ExportContext): number {
  if (ctx.sysUptimeMs >= 0) return ctx.exportTimeSec - ((ctx.sysUptimeMs - uptimeMs) | 0) / 1000;
  if (ctx.domain.systemInitMs >= 0) return (ctx.domain.systemInitMs + uptimeMs) / 1000;
  return ctx.exportTimeSec;
}

/** Reads an NTP timestamp (RFC 7011 §6.1.9) as Unix seconds. */
export function ntpToUnix(d: Uint8Array, o: number): number {
  const sec = ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
  const frac = ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0;
  return sec - NTP_UNIX_OFFSET + Math.round((frac / 4294967296) * 1e6) / 1e6;
}

/**
 * Closest FlowEndReason: IPFIX flowEndReason (RFC 7011 §… IE 136: 1 idle, 2 active, 3 end
 * detected, 4 forced end, 5 lack of resources); without it, TCP RST/FIN flags, else idle timeout.
 */
function endReasonOf(s: RecordScratch, flags: number): FlowEndReason {
  switch (s.endReason) {
    case 1:
      return 'idle-timeout';
    case 2:
      return 'active-timeout';
    case 4:
      return 'end-of-input';
    case 5:
      return 'evicted';
    default:
      break;
  }
  if (s.protocol === IP_PROTO.TCP) {
    if ((flags & TCP_FLAG.RST) !== 0) return 'tcp-rst';
    if ((flags & TCP_FLAG.FIN) !== 0) return 'tcp-fin';
  }
  return 'idle-timeout';
}

/**
 * Zeek-style state from what an export carries: non-TCP S0/SF by whether the reverse direction
 * was seen; TCP S0 for a lone SYN, SF when both directions were seen and closed by FIN, else OTH.
 */
function stateOf(s: RecordScratch, revPackets: number): ConnState {
  if (s.protocol !== IP_PROTO.TCP) return revPackets > 0 ? 'SF' : 'S0';
  const f = s.tcpFlags;
  if (
    revPackets === 0 &&
    (f & TCP_FLAG.SYN) !== 0 &&
    (f & (TCP_FLAG.ACK | TCP_FLAG.FIN | TCP_FLAG.RST)) === 0
  )
    return 'S0';
  if (revPackets > 0 && ((f | s.revTcpFlags) & TCP_FLAG.FIN) !== 0 && (s.tcpFlags & TCP_FLAG.SYN) !== 0)
    return 'SF';
  return 'OTH';
}

/**
 * Emits the scratch as a record. Returns false (and emits nothing) when the record carries no
 * addresses, e.g. an options record or a template describing something other than flows.
 */
export function emitFlow(s: RecordScratch, ctx: ExportContext): boolean {
  if (s.ipVersion === 0) return false;
  if (s.bytes === 0 && s.totalBytes > 0) s.bytes = s.totalBytes;
  if (s.packets === 0 && s.totalPackets > 0) s.packets = s.totalPackets;
  if (s.revBytes === 0 && s.revTotalBytes > 0) s.revBytes = s.revTotalBytes;
  if (s.revPackets === 0 && s.revTotalPackets > 0) s.revPackets = s.revTotalPackets;
  const rate = resolveRate(s, ctx);
  const protocol = s.protocol;
  let srcPort = s.srcPort;
  let dstPort = s.dstPort;
  let oneWay = false;
  if (protocol === IP_PROTO.ICMP || protocol === IP_PROTO.ICMPV6) {
    // Exporters put type << 8 | code in icmpTypeCode or (NetFlow v5 and most v9) the dst port.
    const typeCode = s.icmpTypeCode >= 0 ? s.icmpTypeCode : srcPort === 0 ? dstPort : 0;
    const pair = icmpPortPair(protocol, typeCode >>> 8, typeCode & 0xff);
    srcPort = pair.srcPort;
    dstPort = pair.dstPort;
    oneWay = pair.oneWay;
  }
  let firstTs = s.startSec;
  let lastTs = s.endSec;
  if (firstTs < 0) {
    if (s.firstUptimeMs >= 0) firstTs = uptimeToSec(s.firstUptimeMs, ctx);
    else if (s.startDeltaUs >= 0) firstTs = ctx.exportTimeSec - s.startDeltaUs / 1e6;
  }
  if (lastTs < 0) {
    if (s.lastUptimeMs >= 0) lastTs = uptimeToSec(s.lastUptimeMs, ctx);
    else if (s.endDeltaUs >= 0) lastTs = ctx.exportTimeSec - s.endDeltaUs / 1e6;
  }
  if (firstTs < 0) firstTs = lastTs >= 0 ? lastTs : ctx.exportTimeSec;
  if (lastTs < 0) lastTs = firstTs;
  const length = s.ipVersion === 4 ? 4 : 16;
  const d = s.addrData;
  const rawPackets = s.packets + s.revPackets;
  const rawBytes = s.bytes + s.revBytes;
  const fwdPackets = s.packets * rate;
  const fwdBytes = s.bytes * rate;
  const revPackets = s.revPackets * rate;
  const revBytes = s.revBytes * rate;
  const flags = s.tcpFlags | s.revTcpFlags;
  const record: ExportedFlowRecord = {
    communityId: communityIdAt(
      protocol,
      d,
      s.srcAddrOffset,
      s.dstAddrOffset,
      length,
      srcPort,
      dstPort,
      oneWay,
    ),
    protocol,
    ipVersion: s.ipVersion === 4 ? 4 : 6,
    srcIp: formatIp(d, s.srcAddrOffset, s.ipVersion),
    srcPort,
    dstIp: formatIp(d, s.dstAddrOffset, s.ipVersion),
    dstPort,
    vlan: s.vlan,
    firstTs,
    lastTs,
    packets: fwdPackets + revPackets,
    bytes: fwdBytes + revBytes,
    frameBytes: s.frameBytes > 0 ? s.frameBytes * rate : fwdBytes + revBytes,
    fwdPackets,
    fwdBytes,
    revPackets,
    revBytes,
    tcpFlags: flags,
    fwdTcpFlags: s.tcpFlags,
    revTcpFlags: s.revTcpFlags,
    state: stateOf(s, s.revPackets),
    endReason: endReasonOf(s, flags),
    fragments: 0,
    sourceKind: ctx.sourceKind,
    exporter: ctx.state.exporter,
    observationDomain: ctx.domain.domainId,
    samplingRate: rate,
    rawPackets,
    rawBytes,
    inputIf: s.inputIf,
    outputIf: s.outputIf,
  };
  if (ctx.agent !== '') record.agent = ctx.agent;
  ctx.state.counters.records++;
  ctx.domain.records++;
  ctx.sink.onFlow(record);
  return true;
}
