/** Packet sources: capture files (pcap, pcapng, gzip, stdin) and live capture; flow export later. */
export * from './live/index.js';
export * from './pcap-file/index.js';
export type { CaptureFileInfo, FrameSink } from './source.js';
