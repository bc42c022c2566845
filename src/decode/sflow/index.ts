/** sFlow v5 datagram decoder (used by the flow-export decoder). */
export { decodeSflowV5, type SflowScratch } from './sflow-v5.js';
