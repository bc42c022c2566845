/**
 * Capture files: streaming pcap/pcapng reader (plain or gzip) and small writers for tests and
 * fixtures. Other folders import this file only.
 */

export type { CaptureParser } from './capture-parser.js';
export { createCaptureParser } from './capture-parser.js';
export { checkCaptureFile } from './check-capture.js';
export type { PcapStreamWriter, PcapWriter, PcapWriterOptions } from './pcap-writer.js';
export { createPcapStreamWriter, createPcapWriter } from './pcap-writer.js';
export type {
  PcapngInterfaceOptions,
  PcapngPacketOptions,
  PcapngSectionOptions,
  PcapngWriter,
} from './pcapng-writer.js';
export { createPcapngWriter } from './pcapng-writer.js';
export type { ReadCaptureOptions } from './read-capture.js';
export { readCapture } from './read-capture.js';
