/** ARP frames → ArpEvent model values (see arp-analyzer.ts). */
export { type ArpAnalyzerResult, createArpAnalyzer } from './arp-analyzer.js';
