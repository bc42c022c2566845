/**
 * Every error and warning code the project emits, in one place (Fastify's FST_ERR_* style).
 * Codes are stable: they appear in JSON output and tests match on them.
 */
export const ERR = {
  // Input files.
  NOT_A_CAPTURE: 'FLOWLENS_ERR_NOT_A_CAPTURE',
  FILE_OPEN: 'FLOWLENS_ERR_FILE_OPEN',
  PCAP_TRUNCATED: 'FLOWLENS_ERR_PCAP_TRUNCATED',
  PCAP_RECORD_TOO_LARGE: 'FLOWLENS_ERR_PCAP_RECORD_TOO_LARGE',
  PCAP_CAPLEN_EXCEEDS_LEN: 'FLOWLENS_ERR_PCAP_CAPLEN_EXCEEDS_LEN',
  PCAPNG_BAD_BLOCK: 'FLOWLENS_ERR_PCAPNG_BAD_BLOCK',
  PCAPNG_UNKNOWN_INTERFACE: 'FLOWLENS_ERR_PCAPNG_UNKNOWN_INTERFACE',
  PCAPNG_BAD_OPTION: 'FLOWLENS_ERR_PCAPNG_BAD_OPTION',
  GZIP_CORRUPT: 'FLOWLENS_ERR_GZIP_CORRUPT',
  // Decoding.
  UNSUPPORTED_LINKTYPE: 'FLOWLENS_ERR_UNSUPPORTED_LINKTYPE',
  LINK_TRUNCATED: 'FLOWLENS_ERR_LINK_TRUNCATED',
  IP_TRUNCATED: 'FLOWLENS_ERR_IP_TRUNCATED',
  IP_BAD_HEADER: 'FLOWLENS_ERR_IP_BAD_HEADER',
  TRANSPORT_TRUNCATED: 'FLOWLENS_ERR_TRANSPORT_TRUNCATED',
  TUNNEL_TRUNCATED: 'FLOWLENS_ERR_TUNNEL_TRUNCATED',
  // Flow exports (NetFlow, IPFIX, sFlow).
  FLOW_EXPORT_BAD_VERSION: 'FLOWLENS_ERR_FLOW_EXPORT_BAD_VERSION',
  FLOW_EXPORT_TRUNCATED: 'FLOWLENS_ERR_FLOW_EXPORT_TRUNCATED',
  FLOW_EXPORT_BAD_LENGTH: 'FLOWLENS_ERR_FLOW_EXPORT_BAD_LENGTH',
  FLOW_EXPORT_BAD_TEMPLATE: 'FLOWLENS_ERR_FLOW_EXPORT_BAD_TEMPLATE',
  FLOW_EXPORT_BAD_SAMPLE: 'FLOWLENS_ERR_FLOW_EXPORT_BAD_SAMPLE',
  // Live capture.
  CAPTURE_TOOL_MISSING: 'FLOWLENS_ERR_CAPTURE_TOOL_MISSING',
  CAPTURE_PERMISSION: 'FLOWLENS_ERR_CAPTURE_PERMISSION',
  CAPTURE_INTERFACE: 'FLOWLENS_ERR_CAPTURE_INTERFACE',
  CAPTURE_FILTER: 'FLOWLENS_ERR_CAPTURE_FILTER',
  CAPTURE_FAILED: 'FLOWLENS_ERR_CAPTURE_FAILED',
  // Usage.
  USAGE: 'FLOWLENS_ERR_USAGE',
  // Flow store.
  STORE: 'FLOWLENS_ERR_STORE',
  ALREADY_INGESTED: 'FLOWLENS_ERR_ALREADY_INGESTED',
  INGEST_INTERRUPTED: 'FLOWLENS_ERR_INGEST_INTERRUPTED',
} as const;
export type ErrorCode = (typeof ERR)[keyof typeof ERR];

/** An error meant for the user: printed as one line, never as a stack trace. */
export class FlowlensError extends Error {
  readonly code: ErrorCode;
  /** Process exit code the CLI should use. */
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, exitCode = 1) {
    super(message);
    this.name = 'FlowlensError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

const ERROR_TEXT: Record<string, string> = {
  [ERR.UNSUPPORTED_LINKTYPE]: 'link type not supported',
  [ERR.LINK_TRUNCATED]: 'link-layer header cut short',
  [ERR.IP_TRUNCATED]: 'IP header cut short',
  [ERR.IP_BAD_HEADER]: 'malformed IP header',
  [ERR.TRANSPORT_TRUNCATED]: 'transport header cut short',
  [ERR.TUNNEL_TRUNCATED]: 'tunnel header cut short',
  [ERR.FLOW_EXPORT_BAD_VERSION]: 'not a NetFlow v5/v9, IPFIX or sFlow v5 datagram',
  [ERR.FLOW_EXPORT_TRUNCATED]: 'flow export datagram cut short',
  [ERR.FLOW_EXPORT_BAD_LENGTH]: 'flow export length field out of bounds',
  [ERR.FLOW_EXPORT_BAD_TEMPLATE]: 'malformed flow export template',
  [ERR.FLOW_EXPORT_BAD_SAMPLE]: 'malformed sFlow sample',
};

/** A short human description of a decode error code. */
export function describeError(code: string): string {
  return ERROR_TEXT[code] ?? code;
}
