/** Packet sources: capture files (pcap, pcapng, gzip, stdin); live capture and flow export later. */
export * from './pcap-file/index.js';
export type { CaptureFileInfo, FrameSink } from './source.js';
