/**
 * IPFIX messages (RFC 7011): a 16-byte header, then sets: templates (id 2), options templates
 * (id 3) and data (id ≥ 256). Handles variable-length fields (§7), enterprise-specific fields
 * (§3.2; skipped unless known, e.g. RFC 5103 reverse elements), template withdrawal (§8.1) and
 * refresh. Templates are kept per exporter and observation domain.
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
  withdrawAll,
  withdrawTemplate,
} from '../flow-export/core/index.js';

const HEADER = 16;

/** Decodes one IPFIX message (`d` is exactly the UDP payload). Never throws. */
export function decodeIpfix(
  d: Uint8Array,
  ctx: ExportContext,
  s: RecordScratch,
  fields: FieldList,
): FlowExportError | undefined {
  if (d.length < HEADER) return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'IPFIX header cut short', d.length);
  const length = (d[2] << 8) | d[3];
  if (length < HEADER || length > d.length) {
    return exportError(ERR.FLOW_EXPORT_BAD_LENGTH, `IPFIX message length ${length} out of bounds`, 2);
  }
  const sequence = readUint(d, 8, 4);
  const domain = domainOf(ctx.state, 10, readUint(d, 12, 4));
  ctx.domain = domain;
  ctx.sourceKind = 'ipfix';
  ctx.exportTimeSec = readUint(d, 4, 4);
  ctx.sysUptimeMs = -1;
  ctx.headerSamplingRate = 0;
  // §3.1: the sequence number counts data records sent before this message, per domain.
  if (checkSequence(ctx.state, domain, sequence, -1)) resetDomain(ctx.state, domain);
  let records = 0;
  let unknown = false;
  let o = HEADER;
  let error: FlowExportError | undefined;
  while (o + 4 <= length) {
    const id = (d[o] << 8) | d[o + 1];
    const setLength = (d[o + 2] << 8) | d[o + 3];
    if (setLength < 4 || o + setLength > length) {
      error = exportError(ERR.FLOW_EXPORT_BAD_LENGTH, `set length ${setLength} out of bounds`, o + 2);
      break;
    }
    const body = o + 4;
    const end = o + setLength;
    if (id === 2 || id === 3) error = templateSet(d, body, end, id === 3, ctx, s, fields);
    else if (id >= 256) {
      const template = domain.templates.get(id);
      if (template === undefined) {
        missTemplate(id, d, body, end, ctx);
        unknown = true;
      } else {
        const result = decodeDataSet(template, d, body, end, ctx, s);
        if (typeof result === 'number') records += result;
        else error = result;
      }
    }
    if (error !== undefined) break;
    o = end;
  }
  // The next expected number is known only when every data record of this message was counted.
  domain.expectedSequence = unknown || error !== undefined ? -1 : (sequence + records) >>> 0;
  return error;
}

/**
 * §3.4.1/§3.4.2: template id, field count, (options: scope field count,) then field specifiers
 * of 4 bytes, or 8 with the enterprise bit. A field count of 0 withdraws the template (§8.1).
 */
function templateSet(
  d: Uint8Array,
  o: number,
  end: number,
  options: boolean,
  ctx: ExportContext,
  s: RecordScratch,
  fields: FieldList,
): FlowExportError | undefined {
  const { state, domain } = ctx;
  while (o + 4 <= end) {
    const id = (d[o] << 8) | d[o + 1];
    const count = (d[o + 2] << 8) | d[o + 3];
    if (count === 0) {
      // Withdrawal; the set's own id (2 or 3) withdraws all templates of that kind.
      if (id === 2 || id === 3) withdrawAll(state, domain, options);
      else if (id >= 256) withdrawTemplate(state, domain, id);
      else return exportError(ERR.FLOW_EXPORT_BAD_TEMPLATE, `template id ${id} is reserved`, o);
      o += 4;
      continue;
    }
    if (id < 256) return exportError(ERR.FLOW_EXPORT_BAD_TEMPLATE, `template id ${id} is reserved`, o);
    let f = o + 4;
    let scopeCount = 0;
    if (options) {
      if (f + 2 > end) return exportError(ERR.FLOW_EXPORT_TRUNCATED, `options template ${id} cut short`, f);
      scopeCount = (d[f] << 8) | d[f + 1];
      f += 2;
      if (scopeCount === 0 || scopeCount > count) {
        return exportError(
          ERR.FLOW_EXPORT_BAD_TEMPLATE,
          `options template ${id}: scope count ${scopeCount}`,
          f - 2,
        );
      }
    }
    if (count > MAX_TEMPLATE_FIELDS || f + count * 4 > end) {
      return exportError(
        ERR.FLOW_EXPORT_BAD_TEMPLATE,
        `template ${id}: field count ${count} out of range`,
        o + 2,
      );
    }
    fields.count = count;
    for (let i = 0; i < count; i++) {
      if (f + 4 > end) return exportError(ERR.FLOW_EXPORT_TRUNCATED, `template ${id} cut short`, f);
      const type = (d[f] << 8) | d[f + 1];
      fields.lengths[i] = (d[f + 2] << 8) | d[f + 3];
      f += 4;
      if ((type & 0x8000) !== 0) {
        if (f + 4 > end) return exportError(ERR.FLOW_EXPORT_TRUNCATED, `template ${id} cut short`, f);
        fields.pens[i] = readUint(d, f, 4);
        f += 4;
      } else fields.pens[i] = 0;
      fields.ids[i] = type & 0x7fff;
    }
    const error = installTemplate(id, scopeCount, fields, d, o, f, true, ctx, s);
    if (error !== undefined) return error;
    o = f;
  }
  return undefined;
}
