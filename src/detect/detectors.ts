/** The registry of detectors the engine runs by default, in the order they see each flow. */
import { createBeaconingDetector } from './beaconing.js';
import { createBruteForceDetector } from './brute-force.js';
import type { DetectorFactory } from './detector.js';
import { createDnsTunnelDetector } from './dns-tunnel.js';
import { createEnrichmentMatchDetector } from './enrichment-match.js';
import { createExfiltrationDetector } from './exfiltration.js';
import { createFloodDetector } from './flood.js';
import { createHostSweepDetector } from './host-sweep.js';
import { createIcmpTunnelDetector } from './icmp-tunnel.js';
import { createLateralMovementDetector } from './lateral-movement.js';
import { createPortScanDetector } from './port-scan.js';
import { createSuspiciousPortDetector } from './suspicious-port.js';

export const ALL_DETECTORS: readonly DetectorFactory[] = [
  createPortScanDetector,
  createHostSweepDetector,
  createBruteForceDetector,
  createExfiltrationDetector,
  createIcmpTunnelDetector,
  createBeaconingDetector,
  createDnsTunnelDetector,
  createFloodDetector,
  createLateralMovementDetector,
  createSuspiciousPortDetector,
  createEnrichmentMatchDetector,
];
