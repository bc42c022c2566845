/**
 * Default weights and bands of the health score (docs/health-score.md explains each one), and
 * the merge of user overrides onto them.
 *
 * Contract: `resolveHealthConfig` returns a complete config or throws a FlowlensError (USAGE)
 * naming the first invalid value: a weight below 0, all weights 0, a band whose ends are not
 * finite or whose `good` is not below `bad`.
 */
import type { HealthBand, HealthComponentId, HealthConfig } from '../../model/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  weights: { retransmissions: 25, loss: 20, rtt: 20, dns: 15, jitter: 10, anomalies: 10 },
  // Share of TCP segments retransmitted.
  retransmissionRate: { good: 0.01, bad: 0.05 },
  // RFC 7680 defines one-way loss; ITU-T Y.1541 classes 0–1 bound loss at 1e-3 (good); 2% already
  // cuts a TCP flow's throughput several-fold (Mathis et al.).
  lostSegmentRate: { good: 0.001, bad: 0.02 },
  dupAckRate: { good: 0.01, bad: 0.05 },
  // ITU-T G.114: one-way delay up to 150 ms is acceptable for most uses; above 400 ms it is not.
  oneWayDelayMs: { good: 150, bad: 400 },
  dnsFailureRate: { good: 0.01, bad: 0.1 },
  dnsUnansweredRate: { good: 0.01, bad: 0.1 },
  dnsResponseTimeP95Ms: { good: 100, bad: 1000 },
  // RFC 3393 defines IPDV; ITU-T Y.1541 classes 0–1 bound it at 50 ms, and voice wants ≤ 30 ms.
  jitterMeanMs: { good: 10, bad: 50 },
  jitterP95Ms: { good: 30, bad: 100 },
  malformedRate: { good: 0.001, bad: 0.05 },
  warningRate: { good: 0.01, bad: 0.1 },
  resetRatio: { good: 0.05, bad: 0.3 },
};

export type HealthConfigOverrides = Partial<Omit<HealthConfig, 'weights'>> & {
  weights?: Partial<HealthConfig['weights']>;
};

const BAND_KEYS = Object.keys(DEFAULT_HEALTH_CONFIG).filter((k) => k !== 'weights') as Exclude<
  keyof HealthConfig,
  'weights'
>[];

function invalid(message: string): never {
  throw new FlowlensError(ERR.USAGE, `invalid health score configuration: ${message}`);
}

function checkBand(name: string, band: HealthBand): HealthBand {
  if (!Number.isFinite(band.good) || !Number.isFinite(band.bad)) invalid(`${name} needs finite good and bad`);
  if (!(band.good < band.bad)) invalid(`${name}.good (${band.good}) must be below ${name}.bad (${band.bad})`);
  return { good: band.good, bad: band.bad };
}

export function resolveHealthConfig(overrides: HealthConfigOverrides = {}): HealthConfig {
  const weights = { ...DEFAULT_HEALTH_CONFIG.weights, ...overrides.weights };
  let total = 0;
  for (const [id, weight] of Object.entries(weights) as [HealthComponentId, number][]) {
    if (!Number.isFinite(weight) || weight < 0) invalid(`weights.${id} must be a number ≥ 0`);
    total += weight;
  }
  if (total <= 0) invalid('at least one weight must be above 0');
  const config = { weights } as HealthConfig;
  for (const key of BAND_KEYS) {
    config[key] = checkBand(key, { ...DEFAULT_HEALTH_CONFIG[key], ...overrides[key] });
  }
  return config;
}
