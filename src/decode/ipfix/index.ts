/** IPFIX (RFC 7011) message decoder (used by the flow-export decoder). */
export { decodeIpfix } from './ipfix.js';
