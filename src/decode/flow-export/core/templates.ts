/**
 * Template bookkeeping shared by NetFlow v9 and IPFIX: compiling a template's fields, storing,
 * refreshing and withdrawing it in one exporter's domain, and the buffer of data sets waiting
 * for a template (bounded in count and time; expired sets are counted, never dropped silently).
 */
import { slotOf } from './fields.js';
import type { DomainState, ExporterState, PendingSet, Template } from './types.js';
import { VARIABLE_LENGTH } from './types.js';

/** Most fields one template may list; more is treated as an absurd field count. */
export const MAX_TEMPLATE_FIELDS = 1024;

/** Scratch arrays for a template being parsed; reused per decoder. */
export interface FieldList {
  count: number;
  ids: Uint16Array;
  pens: Uint32Array;
  lengths: Uint16Array;
}

export function createFieldList(): FieldList {
  return {
    count: 0,
    ids: new Uint16Array(MAX_TEMPLATE_FIELDS),
    pens: new Uint32Array(MAX_TEMPLATE_FIELDS),
    lengths: new Uint16Array(MAX_TEMPLATE_FIELDS),
  };
}

/**
 * Compiles `fields` into a Template, or returns a reason when it cannot describe records: no
 * fields, or records longer than any datagram (RFC 7011 §3.4.1 / RFC 3954 §5.2 do not allow
 * either). `raw` is kept as given (the caller copies it). Scope fields are read only when
 * `readScope` is set: IPFIX scopes are ordinary elements (e.g. selectorId), NetFlow v9 scope
 * types (system, interface, …) are not.
 */
export function compileTemplate(
  id: number,
  scopeCount: number,
  fields: FieldList,
  raw: Uint8Array,
  readScope: boolean,
): Template | string {
  const n = fields.count;
  if (n === 0) return 'template without fields';
  const lengths = new Uint16Array(n);
  const slots = new Uint8Array(n);
  let fixed = 0;
  let min = 0;
  let variable = false;
  for (let i = 0; i < n; i++) {
    const length = fields.lengths[i];
    lengths[i] = length;
    if (length === VARIABLE_LENGTH) {
      variable = true;
      min += 1;
      continue;
    }
    slots[i] = i < scopeCount && !readScope ? 0 : slotOf(fields.ids[i], fields.pens[i], length);
    fixed += length;
    min += length;
  }
  if (min === 0) return 'template records are zero bytes long';
  if (min > 65535) return 'template records longer than a datagram';
  return {
    id,
    scopeCount,
    fieldCount: n,
    lengths,
    slots,
    fixedLength: variable ? -1 : fixed,
    minLength: min,
    raw,
  };
}

/** True when `raw` equals the stored template's bytes (a refresh that changes nothing). */
export function sameTemplate(
  template: Template | undefined,
  d: Uint8Array,
  start: number,
  end: number,
): boolean {
  if (template === undefined) return false;
  const raw = template.raw;
  if (raw.length !== end - start) return false;
  for (let i = 0; i < raw.length; i++) if (raw[i] !== d[start + i]) return false;
  return true;
}

/** Stores `template`, replacing any with its id. Returns false when the exporter's limit is reached. */
export function storeTemplate(
  state: ExporterState,
  domain: DomainState,
  template: Template,
  limit: number,
): boolean {
  const had = domain.templates.has(template.id);
  if (!had && state.counters.templates >= limit) return false;
  domain.templates.set(template.id, template);
  if (!had) state.counters.templates++;
  return true;
}

export function withdrawTemplate(state: ExporterState, domain: DomainState, id: number): void {
  if (domain.templates.delete(id)) state.counters.templates--;
}

/** IPFIX "withdraw all" (RFC 7011 §8.1): every data (options = false) or options template. */
export function withdrawAll(state: ExporterState, domain: DomainState, options: boolean): void {
  for (const [id, template] of domain.templates) {
    if (template.scopeCount > 0 === options) withdrawTemplate(state, domain, id);
  }
}

/** The exporter restarted: its templates and samplers in this domain are stale. */
export function resetDomain(state: ExporterState, domain: DomainState): void {
  state.counters.templates -= domain.templates.size;
  domain.templates.clear();
  domain.samplers.clear();
  domain.defaultSamplingRate = 0;
  domain.systemInitMs = -1;
  state.counters.restarts++;
}

/** Buffers a copy of a data set whose template is unknown; the oldest goes when the buffer is full. */
export function bufferPending(state: ExporterState, set: PendingSet, maxPending: number): void {
  if (maxPending <= 0) {
    state.counters.expiredPending++;
    return;
  }
  state.pending.push(set);
  if (state.pending.length > maxPending) {
    state.pending.shift();
    state.counters.expiredPending++;
  }
  state.counters.pendingRecords = state.pending.length;
}

/** Drops buffered sets older than `timeoutSec` at `nowSec`, counting them. */
export function expirePending(state: ExporterState, nowSec: number, timeoutSec: number): void {
  const pending = state.pending;
  let drop = 0;
  while (drop < pending.length && pending[drop].receivedAtSec + timeoutSec < nowSec) drop++;
  if (drop === 0) return;
  pending.splice(0, drop);
  state.counters.expiredPending += drop;
  state.counters.pendingRecords = pending.length;
}

/** Removes and returns the buffered sets for one template, in arrival order. */
export function takePending(state: ExporterState, domainKey: number, templateId: number): PendingSet[] {
  const pending = state.pending;
  const taken: PendingSet[] = [];
  let kept = 0;
  for (let i = 0; i < pending.length; i++) {
    const set = pending[i];
    if (set.domainKey === domainKey && set.templateId === templateId) taken.push(set);
    else pending[kept++] = set;
  }
  pending.length = kept;
  state.counters.pendingRecords = kept;
  return taken;
}
