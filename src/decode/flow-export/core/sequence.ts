/**
 * Export sequence numbers (NetFlow v5 flow_sequence, v9 package sequence, IPFIX sequence number,
 * sFlow datagram sequence): gaps are counted, a large step back is an exporter restart.
 */
import type { DomainState, ExporterState } from './types.js';

/** A step back larger than this (in sequence units) is a restart, not reordering. */
const RESTART_WINDOW = 1000;

/**
 * Checks `sequence` against what the domain expects and sets the next expected value
 * (`next`, or -1 when unknown). Returns true when the exporter restarted.
 */
export function checkSequence(
  state: ExporterState,
  domain: DomainState,
  sequence: number,
  next: number,
): boolean {
  const expected = domain.expectedSequence;
  domain.expectedSequence = next;
  if (expected < 0) return false;
  const diff = (sequence - expected) | 0;
  if (diff === 0) return false;
  if (diff < -RESTART_WINDOW) return true;
  state.counters.sequenceGaps++;
  domain.sequenceGaps++;
  return false;
}
