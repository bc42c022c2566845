/**
 * The data-record loop shared by NetFlow v9 and IPFIX: walks the records of one data set with a
 * compiled template, reading each field at its offset into the record scratch (no per-record
 * allocation but the emitted record). Options records update the domain's sampling state
 * instead of becoming flows.
 */
import { ERR } from '../../../shared/index.js';
import { SLOT } from './fields.js';
import { emitFlow, ntpToUnix, type RecordScratch, recordSamplingRate, resetScratch } from './record.js';
import {
  bufferPending,
  compileTemplate,
  type FieldList,
  sameTemplate,
  storeTemplate,
  takePending,
  withdrawTemplate,
} from './templates.js';
import {
  type ExportContext,
  exportError,
  type FlowExportError,
  type Template,
  VARIABLE_LENGTH,
} from './types.js';

/** Samplers remembered per domain; more ids than this are not tracked. */
const MAX_SAMPLERS = 1024;

/** Big-endian unsigned integer of 1–8 bytes (exact below 2^53). */
export function readUint(d: Uint8Array, o: number, length: number): number {
  switch (length) {
    case 1:
      return d[o];
    case 2:
      return (d[o] << 8) | d[o + 1];
    case 4:
      return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
    case 8:
      return (
        (((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0) * 4294967296 +
        (((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0)
      );
    default: {
      let v = 0;
      for (let i = 0; i < length; i++) v = v * 256 + d[o + i];
      return v;
    }
  }
}

/**
 * Decodes the records of `d[start, end)` (a data set's body) with `t`. Returns the number of
 * records read (flows emitted plus options records applied), or an error when a record runs past
 * the set; records before it stay emitted. Trailing bytes shorter than a record are padding
 * (RFC 7011 §3.3.1).
 */
export function decodeDataSet(
  t: Template,
  d: Uint8Array,
  start: number,
  end: number,
  ctx: ExportContext,
  s: RecordScratch,
): number | FlowExportError {
  const lengths = t.lengths;
  const slots = t.slots;
  const n = t.fieldCount;
  const options = t.scopeCount > 0;
  let o = start;
  let records = 0;
  s.addrData = d;
  while (o + t.minLength <= end) {
    resetScratch(s);
    for (let i = 0; i < n; i++) {
      let length = lengths[i];
      if (length === VARIABLE_LENGTH) {
        // RFC 7011 §7: one length byte, or 255 and a two-byte length.
        if (o >= end) return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'variable-length field cut short', o);
        length = d[o++];
        if (length === 255) {
          if (o + 2 > end)
            return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'variable-length field cut short', o);
          length = (d[o] << 8) | d[o + 1];
          o += 2;
        }
      }
      if (o + length > end) return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'data record cut short', o);
      const slot = slots[i];
      if (slot !== SLOT.SKIP) readField(slot, d, o, length, s);
      o += length;
    }
    records++;
    if (options) applyOptions(s, ctx);
    else emitFlow(s, ctx);
  }
  return records;
}

function readField(slot: number, d: Uint8Array, o: number, length: number, s: RecordScratch): void {
  switch (slot) {
    case SLOT.BYTES:
      s.bytes = readUint(d, o, length);
      break;
    case SLOT.PACKETS:
      s.packets = readUint(d, o, length);
      break;
    case SLOT.PROTOCOL:
      s.protocol = d[o + length - 1];
      break;
    case SLOT.TCP_FLAGS:
      // tcpControlBits may be 1 or 2 bytes; the low byte holds FIN..CWR.
      s.tcpFlags = d[o + length - 1];
      break;
    case SLOT.SRC_PORT:
      s.srcPort = readUint(d, o, length) & 0xffff;
      break;
    case SLOT.DST_PORT:
      s.dstPort = readUint(d, o, length) & 0xffff;
      break;
    case SLOT.SRC_V4:
      s.ipVersion = 4;
      s.srcAddrOffset = o;
      break;
    case SLOT.DST_V4:
      s.ipVersion = 4;
      s.dstAddrOffset = o;
      break;
    case SLOT.SRC_V6:
      s.ipVersion = 6;
      s.srcAddrOffset = o;
      break;
    case SLOT.DST_V6:
      s.ipVersion = 6;
      s.dstAddrOffset = o;
      break;
    case SLOT.INPUT_IF:
      s.inputIf = readUint(d, o, length);
      break;
    case SLOT.OUTPUT_IF:
      s.outputIf = readUint(d, o, length);
      break;
    case SLOT.FIRST_UPTIME:
      s.firstUptimeMs = readUint(d, o, length);
      break;
    case SLOT.LAST_UPTIME:
      s.lastUptimeMs = readUint(d, o, length);
      break;
    case SLOT.START_SEC:
      s.startSec = readUint(d, o, length);
      break;
    case SLOT.END_SEC:
      s.endSec = readUint(d, o, length);
      break;
    case SLOT.START_MS:
      s.startSec = readUint(d, o, length) / 1000;
      break;
    case SLOT.END_MS:
      s.endSec = readUint(d, o, length) / 1000;
      break;
    case SLOT.START_NTP:
      s.startSec = ntpToUnix(d, o);
      break;
    case SLOT.END_NTP:
      s.endSec = ntpToUnix(d, o);
      break;
    case SLOT.START_DELTA_US:
      s.startDeltaUs = readUint(d, o, length);
      break;
    case SLOT.END_DELTA_US:
      s.endDeltaUs = readUint(d, o, length);
      break;
    case SLOT.ICMP_TYPE_CODE:
      s.icmpTypeCode = readUint(d, o, length) & 0xffff;
      break;
    case SLOT.VLAN:
      s.vlan = readUint(d, o, length) & 0xfff;
      break;
    case SLOT.SAMPLING_INTERVAL:
      s.samplingInterval = readUint(d, o, length);
      break;
    case SLOT.SAMPLER_ID:
      s.samplerId = readUint(d, o, length);
      break;
    case SLOT.SAMPLING_SIZE:
      s.samplingSize = readUint(d, o, length);
      break;
    case SLOT.SAMPLING_POPULATION:
      s.samplingPopulation = readUint(d, o, length);
      break;
    case SLOT.SAMPLING_PACKET_INTERVAL:
      s.samplingPacketInterval = readUint(d, o, length);
      break;
    case SLOT.SAMPLING_PACKET_SPACE:
      s.samplingPacketSpace = readUint(d, o, length);
      break;
    case SLOT.END_REASON:
      s.endReason = d[o + length - 1];
      break;
    case SLOT.SYSTEM_INIT_MS:
      s.systemInitMs = readUint(d, o, length);
      break;
    case SLOT.REV_BYTES:
      s.revBytes = readUint(d, o, length);
      break;
    case SLOT.REV_PACKETS:
      s.revPackets = readUint(d, o, length);
      break;
    case SLOT.REV_TCP_FLAGS:
      s.revTcpFlags = d[o + length - 1];
      break;
    case SLOT.TOTAL_BYTES:
      s.totalBytes = readUint(d, o, length);
      break;
    case SLOT.TOTAL_PACKETS:
      s.totalPackets = readUint(d, o, length);
      break;
    case SLOT.REV_TOTAL_BYTES:
      s.revTotalBytes = readUint(d, o, length);
      break;
    case SLOT.REV_TOTAL_PACKETS:
      s.revTotalPackets = readUint(d, o, length);
      break;
    default:
      break;
  }
}

/** An options data record: remember its sampler's rate and the exporter's init time. */
function applyOptions(s: RecordScratch, ctx: ExportContext): void {
  const domain = ctx.domain;
  const rate = recordSamplingRate(s);
  if (rate > 0) {
    if (s.samplerId >= 0 && (domain.samplers.size < MAX_SAMPLERS || domain.samplers.has(s.samplerId))) {
      domain.samplers.set(s.samplerId, rate);
    }
    domain.defaultSamplingRate = rate;
  }
  if (s.systemInitMs >= 0) domain.systemInitMs = s.systemInitMs;
}

/**
 * Decodes the data sets buffered for `t` (they arrived before it), with the header values of
 * the datagrams they came in. Errors in them are counted, not returned.
 */
export function replayPending(t: Template, ctx: ExportContext, s: RecordScratch): void {
  const state = ctx.state;
  if (state.pending.length === 0) return;
  const sets = takePending(state, ctx.domain.key, t.id);
  if (sets.length === 0) return;
  const exportTimeSec = ctx.exportTimeSec;
  const sysUptimeMs = ctx.sysUptimeMs;
  const addrData = s.addrData;
  for (const set of sets) {
    ctx.exportTimeSec = set.exportTimeSec;
    ctx.sysUptimeMs = set.sysUptimeMs;
    const result = decodeDataSet(t, set.bytes, 0, set.bytes.length, ctx, s);
    if (typeof result !== 'number') state.counters.decodeErrors++;
  }
  ctx.exportTimeSec = exportTimeSec;
  ctx.sysUptimeMs = sysUptimeMs;
  s.addrData = addrData;
}

/** A data set for a template not (yet) known: counted as a miss and buffered. */
export function missTemplate(
  templateId: number,
  d: Uint8Array,
  start: number,
  end: number,
  ctx: ExportContext,
): void {
  const state = ctx.state;
  state.counters.templateMisses++;
  ctx.domain.templateMisses++;
  bufferPending(
    state,
    {
      domainKey: ctx.domain.key,
      templateId,
      bytes: d.slice(start, end),
      exportTimeSec: ctx.exportTimeSec,
      sysUptimeMs: ctx.sysUptimeMs,
      receivedAtSec: ctx.receivedAtSec,
    },
    ctx.config.maxPendingSets,
  );
}

/**
 * Defines (or refreshes) template `id` from the parsed `fields`, whose record bytes are
 * `d[start, end)`, then decodes any data that was waiting for it. An unchanged refresh costs a
 * byte comparison. Returns an error for a template that cannot be used; the previous definition
 * of that id, if any, is withdrawn so stale data is not misread.
 */
export function installTemplate(
  id: number,
  scopeCount: number,
  fields: FieldList,
  d: Uint8Array,
  start: number,
  end: number,
  readScope: boolean,
  ctx: ExportContext,
  s: RecordScratch,
): FlowExportError | undefined {
  const { state, domain } = ctx;
  if (sameTemplate(domain.templates.get(id), d, start, end)) return undefined;
  const compiled = compileTemplate(id, scopeCount, fields, d.slice(start, end), readScope);
  if (typeof compiled === 'string') {
    withdrawTemplate(state, domain, id);
    return exportError(ERR.FLOW_EXPORT_BAD_TEMPLATE, `template ${id}: ${compiled}`, start);
  }
  if (!storeTemplate(state, domain, compiled, ctx.config.maxTemplatesPerExporter)) {
    return exportError(
      ERR.FLOW_EXPORT_BAD_TEMPLATE,
      `template ${id}: too many templates for this exporter`,
      start,
    );
  }
  replayPending(compiled, ctx, s);
  return undefined;
}
