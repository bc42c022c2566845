/**
 * A captured frame as a source hands it to the decoders.
 *
 * Contract: a source reuses one `Frame` object and the bytes behind `data` for every frame it
 * emits. A consumer must finish with (or copy) what it needs before the callback returns.
 */
export interface Frame {
  /** Bytes of the captured frame: `data[offset .. offset + capturedLength)`. */
  data: Uint8Array;
  offset: number;
  /** Bytes actually captured (pcap caplen). */
  capturedLength: number;
  /** Length of the frame on the wire (pcap len / pcapng original length). */
  originalLength: number;
  /** Seconds since the Unix epoch, with the capture's precision down to the microsecond. */
  timestamp: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html). */
  linkType: number;
  /** pcapng interface id (0 for pcap). */
  interfaceId: number;
  /** 1-based index of the frame in its file, as Wireshark numbers frames. */
  index: number;
}

export function createFrame(): Frame {
  return {
    data: new Uint8Array(0),
    offset: 0,
    capturedLength: 0,
    originalLength: 0,
    timestamp: 0,
    linkType: 0,
    interfaceId: 0,
    index: 0,
  };
}
