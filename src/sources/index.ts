/** Packet sources: capture files (pcap, pcapng, gzip, stdin), live capture, and flow-export listeners. */
export * from './flow-export/index.js';
export * from './live/index.js';
export * from './pcap-file/index.js';
export type { CaptureFileInfo, FrameSink } from './source.js';
