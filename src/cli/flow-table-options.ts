/** The flow-table options (timeouts, table size) that every command building flows shares. */
import type { Command } from 'commander';
import { DEFAULT_FLOW_TABLE_CONFIG, type FlowTableConfig } from '../flows/index.js';
import { nonNegativeSeconds, wholeNumber } from './option-values.js';

export interface FlowTableFlags {
  tcpTimeout: number;
  udpTimeout: number;
  icmpTimeout: number;
  otherTimeout: number;
  activeTimeout: number;
  maxFlows: number;
}

export function addFlowTableOptions(command: Command): Command {
  const d = DEFAULT_FLOW_TABLE_CONFIG;
  return command
    .option('--tcp-timeout <seconds>', 'TCP idle timeout', nonNegativeSeconds, d.tcpIdleTimeout)
    .option('--udp-timeout <seconds>', 'UDP idle timeout', nonNegativeSeconds, d.udpIdleTimeout)
    .option('--icmp-timeout <seconds>', 'ICMP idle timeout', nonNegativeSeconds, d.icmpIdleTimeout)
    .option(
      '--other-timeout <seconds>',
      'idle timeout of other IP protocols',
      nonNegativeSeconds,
      d.otherIdleTimeout,
    )
    .option(
      '--active-timeout <seconds>',
      'interim record interval for long flows (0: never)',
      nonNegativeSeconds,
      d.activeTimeout,
    )
    .option('--max-flows <n>', 'flows held at once before the oldest is evicted', wholeNumber, d.maxFlows);
}

export function flowTableConfig(flags: FlowTableFlags): Partial<FlowTableConfig> {
  return {
    tcpIdleTimeout: flags.tcpTimeout,
    udpIdleTimeout: flags.udpTimeout,
    icmpIdleTimeout: flags.icmpTimeout,
    otherIdleTimeout: flags.otherTimeout,
    activeTimeout: flags.activeTimeout,
    maxFlows: flags.maxFlows === 0 ? Number.POSITIVE_INFINITY : flags.maxFlows,
  };
}
