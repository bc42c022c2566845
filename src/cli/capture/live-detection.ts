/**
 * Detections for `flowlens capture` and `flowlens collect`: the continuous detection engine with
 * its alerts written to the store (when there is one) and a line on stderr for each new alert.
 * `lookups` (the enrichment's): threat-intel alerts for listed addresses.
 */
import type { EnrichmentLookups } from '../../detect/index.js';
import type { Alert } from '../../model/index.js';
import {
  type ContinuousDetection,
  type ContinuousDetectionStats,
  createContinuousDetection,
  createDetectionThread,
  type DatagramDetection,
  type DetectionThreatSources,
} from '../../pipeline/index.js';
import type { FlowStore } from '../../store/index.js';
import { formatCount } from '../format.js';

/** New alerts printed on stderr at most; the rest are counted in the final line. */
const MAX_PRINTED = 100;

export function createCliDetection(
  store: FlowStore | undefined,
  lookups?: EnrichmentLookups,
): ContinuousDetection {
  return createContinuousDetection({ ...cliDetectionOptions(store), lookups });
}

/**
 * The collector's: the same detections in a thread of their own, fed the export datagrams;
 * `threat` says where that thread reads the feeds and lists for threat-intel alerts.
 */
export function createCliDetectionThread(
  store: FlowStore | undefined,
  threat?: DetectionThreatSources,
): DatagramDetection {
  return createDetectionThread({ ...cliDetectionOptions(store), threat });
}

function cliDetectionOptions(store: FlowStore | undefined) {
  let printed = 0;
  return {
    writeAlerts: store
      ? (batch: Parameters<FlowStore['recordAlerts']>[0]) => store.recordAlerts(batch)
      : undefined,
    onAlert(alert: Alert, change: 'new' | 'updated') {
      if (change !== 'new' || printed >= MAX_PRINTED) return;
      printed++;
      // Over a status line (capture on a terminal), clear it first.
      const clear = process.stderr.isTTY === true ? '\r\x1b[K' : '';
      process.stderr.write(
        `${clear}flowlens: alert: ${alert.severity} ${alert.type}: ${alert.explanation}\n`,
      );
    },
  };
}

/** "3 alerts, 2 repeats, 5 alert writes to the store" for the final line. */
export function alertSummary(detection: { stats(): ContinuousDetectionStats }, stored: boolean): string {
  const s = detection.stats();
  const repeats = s.alertsUpdated > 0 ? `, ${formatCount(s.alertsUpdated)} repeats` : '';
  const writes = stored ? `, ${formatCount(s.alertsStored)} alert writes to the store` : '';
  const lost = s.alertsNotStored > 0 ? ` (${formatCount(s.alertsNotStored)} not stored)` : '';
  return `${formatCount(s.alertsNew)} alert${s.alertsNew === 1 ? '' : 's'}${repeats}${writes}${lost}`;
}
