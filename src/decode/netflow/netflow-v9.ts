/**
 * NetFlow v9 export packets (RFC 3954): a 20-byte header, then FlowSets: templates (id 0),
 * options templates (id 1) and data (id ≥ 256). Templates are kept per exporter and source id;
 * data for an unknown template waits in the exporter's pending buffer.
 */

import { ERR } from '../../shared/index.js';
import {
  checkSequence,
  decodeDataSet,
  domainOf,
  type ExportContext,
  exportError,
  type FieldList,
  type FlowExportError,
  installTemplate,
  MAX_TEMPLATE_FIELDS,
  missTemplate,
  type RecordScratch,
  readUint,
  resetDomain,
} from '../flow-export/core/index.js';

const HEADER = 20;
/** sysUpTime going back by more than this (ms) means the exporter rebooted. */
const UPTIME_RESTART_MS = 1000;

/** Decodes one v9 packet (`d` is exactly the UDP payload). Never throws. */
export function decodeNetflowV9(
  d: Uint8Array,
  ctx: ExportContext,
  s: RecordScratch,
  fields: FieldList,
): FlowExportError | undefined {
  if (d.length < HEADER)
    return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'NetFlow v9 header cut short', d.length);
  const sysUptime = readUint(d, 4, 4);
  const sequence = readUint(d, 12, 4);
  const domain = domainOf(ctx.state, 9, readUint(d, 16, 4));
  ctx.domain = domain;
  ctx.sourceKind = 'netflow';
  ctx.exportTimeSec = readUint(d, 8, 4);
  ctx.sysUptimeMs = sysUptime;
  ctx.headerSamplingRate = 0;
  const rebooted = domain.lastUptimeMs >= 0 && ((sysUptime - domain.lastUptimeMs) | 0) < -UPTIME_RESTART_MS;
  domain.lastUptimeMs = sysUptime;
  // RFC 3954 §5.1: the sequence number counts export packets.
  if (checkSequence(ctx.state, domain, sequence, (sequence + 1) >>> 0) || rebooted)
    resetDomain(ctx.state, domain);
  let o = HEADER;
  while (o + 4 <= d.length) {
    const id = (d[o] << 8) | d[o + 1];
    const length = (d[o + 2] << 8) | d[o + 3];
    if (length < 4 || o + length > d.length) {
      return exportError(ERR.FLOW_EXPORT_BAD_LENGTH, `FlowSet length ${length} out of bounds`, o + 2);
    }
    const body = o + 4;
    const end = o + length;
    let error: FlowExportError | undefined;
    if (id === 0) error = templateFlowSet(d, body, end, ctx, s, fields);
    else if (id === 1) error = optionsFlowSet(d, body, end, ctx, s, fields);
    else if (id >= 256) {
      const template = domain.templates.get(id);
      if (template === undefined) missTemplate(id, d, body, end, ctx);
      else {
        const result = decodeDataSet(template, d, body, end, ctx, s);
        if (typeof result !== 'number') error = result;
      }
    }
    if (error !== undefined) return error;
    o = end;
  }
  return undefined;
}

/** RFC 3954 §5.2: template id, field count, then (type, length) pairs. */
function templateFlowSet(
  d: Uint8Array,
  o: number,
  end: number,
  ctx: ExportContext,
  s: RecordScratch,
  fields: FieldList,
): FlowExportError | undefined {
  while (o + 4 <= end) {
    const id = (d[o] << 8) | d[o + 1];
    const count = (d[o + 2] << 8) | d[o + 3];
    if (id < 256) return exportError(ERR.FLOW_EXPORT_BAD_TEMPLATE, `template id ${id} is reserved`, o);
    if (count === 0 || count > MAX_TEMPLATE_FIELDS || o + 4 + count * 4 > end) {
      return exportError(
        ERR.FLOW_EXPORT_BAD_TEMPLATE,
        `template ${id}: field count ${count} out of range`,
        o + 2,
      );
    }
    const recordEnd = readFields(d, o + 4, count, fields);
    const error = installTemplate(id, 0, fields, d, o, recordEnd, false, ctx, s);
    if (error !== undefined) return error;
    o = recordEnd;
  }
  return undefined;
}

/** RFC 3954 §6.1: template id, scope length and option length in bytes, scope then option fields. */
function optionsFlowSet(
  d: Uint8Array,
  o: number,
  end: number,
  ctx: ExportContext,
  s: RecordScratch,
  fields: FieldList,
): FlowExportError | undefined {
  // Records are padded to 4 bytes; anything shorter than a header with one field is padding.
  while (o + 10 <= end) {
    const id = (d[o] << 8) | d[o + 1];
    const scopeLength = (d[o + 2] << 8) | d[o + 3];
    const optionLength = (d[o + 4] << 8) | d[o + 5];
    const scopeCount = scopeLength >>> 2;
    const count = scopeCount + (optionLength >>> 2);
    if (id < 256)
      return exportError(ERR.FLOW_EXPORT_BAD_TEMPLATE, `options template id ${id} is reserved`, o);
    if (
      scopeLength % 4 !== 0 ||
      optionLength % 4 !== 0 ||
      scopeCount === 0 ||
      count > MAX_TEMPLATE_FIELDS ||
      o + 6 + count * 4 > end
    ) {
      return exportError(
        ERR.FLOW_EXPORT_BAD_TEMPLATE,
        `options template ${id}: bad scope/option lengths`,
        o + 2,
      );
    }
    const recordEnd = readFields(d, o + 6, count, fields);
    const error = installTemplate(id, scopeCount, fields, d, o, recordEnd, false, ctx, s);
    if (error !== undefined) return error;
    o = recordEnd;
  }
  return undefined;
}

/** Reads `count` (type, length) pairs from `f` (checked to fit); returns where they end. */
function readFields(d: Uint8Array, f: number, count: number, fields: FieldList): number {
  fields.count = count;
  for (let i = 0; i < count; i++, f += 4) {
    fields.ids[i] = (d[f] << 8) | d[f + 1];
    fields.pens[i] = 0;
    fields.lengths[i] = (d[f + 2] << 8) | d[f + 3];
  }
  return f;
}
