/** NetFlow v5 and v9 export datagram decoders (used by the flow-export decoder). */
export { decodeNetflowV5 } from './netflow-v5.js';
export { decodeNetflowV9 } from './netflow-v9.js';
