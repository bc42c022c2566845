/**
 * The analyzer contract: diagnostic analyzers (TCP, DNS, ICMP, timing, application metadata)
 * that run inside the engine's single streaming pass, beside the flow table.
 *
 * Contract:
 * - Calls are synchronous and in capture order. `packet` and its `data` are valid only during
 *   the call: copy what you keep. Hot path: no allocation per packet on the common path.
 * - `flowId` identifies a flow while it is active. `onFlowEnd` is called for each record before
 *   any consumer sees it; the analyzer may set the record's optional fields (application
 *   metadata, per-flow diagnostics). After a record whose `endReason` is not 'active-timeout',
 *   the id is free: drop its state, since a later flow may reuse the id.
 * - State is bounded: per-flow state ends with its flow; capture-level state (top names, samples)
 *   is capped, and what was dropped is counted.
 * - `finish` is called once, after the last flow has ended, and returns the analyzer's
 *   capture-level results as a plain JSON-serialisable value, published under `name`.
 * - Analyzers never throw on malformed packets: they count and skip.
 */
import type { DecodedPacket, FlowRecord } from '../model/index.js';

export interface PacketAnalyzer {
  /** Stable key of this analyzer's results in `analyze --format json` (e.g. 'tcp', 'dns'). */
  readonly name: string;
  /**
   * An IP packet counted in flow `flowId`. `forward` is true when it travels originator →
   * responder. `timestamp` is seconds since the Unix epoch; `frameLength` the original length.
   */
  onPacket(
    packet: DecodedPacket,
    timestamp: number,
    frameLength: number,
    flowId: number,
    forward: boolean,
  ): void;
  /** Optional: every frame that is not IP (ARP, 802.11 management, …), in capture order. */
  onNonIpFrame?(packet: DecodedPacket, timestamp: number, frameLength: number): void;
  onFlowEnd(flowId: number, record: FlowRecord): void;
  finish(): unknown;
}
