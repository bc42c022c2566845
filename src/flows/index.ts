/** Flows stage: decoded packets in, bidirectional flow records out. */
export { DEFAULT_FLOW_TABLE_CONFIG, type FlowTableConfig } from './config.js';
export { datagramConnState, tcpConnState } from './conn-state.js';
export {
  type ActiveFlow,
  createFlowTable,
  type FlowSink,
  type FlowTable,
  type FlowTableLimits,
  type FlowTableStats,
} from './flow-table.js';
