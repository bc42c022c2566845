/**
 * The shared core of the flow-export decoders (NetFlow v5/v9, IPFIX, sFlow): per-exporter
 * state, template cache, pending buffer, record scratch and emission. Used by `netflow/`,
 * `ipfix/` and `sflow/`; the public API is `../index.ts`.
 */
export { decodeDataSet, installTemplate, missTemplate, readUint, replayPending } from './data-set.js';
export { REVERSE_PEN, SLOT, slotOf } from './fields.js';
export { createRecordScratch, emitFlow, type RecordScratch, resetScratch } from './record.js';
export { checkSequence } from './sequence.js';
export {
  bufferPending,
  compileTemplate,
  createFieldList,
  expirePending,
  type FieldList,
  MAX_TEMPLATE_FIELDS,
  resetDomain,
  sameTemplate,
  storeTemplate,
  takePending,
  withdrawAll,
  withdrawTemplate,
} from './templates.js';
export * from './types.js';
