/**
 * The health score: a pure function from HealthInputs to a 0–100 score whose every deduction is
 * explained with the numbers behind it and the band it was judged against.
 *
 * Contract: each component (retransmissions, loss, RTT, DNS, jitter, protocol anomalies) looks at
 * its measured metrics; a metric's severity is 0 at or below its band's `good`, 1 at or above
 * `bad`, linear between. The component loses `weight × worst severity` points (weights scaled to
 * total 100). A component with no measured metric (every input `undefined` or not finite) loses
 * nothing and says "not measured". Never throws for any inputs; an invalid config throws.
 */
import type {
  HealthBand,
  HealthComponent,
  HealthComponentId,
  HealthConfig,
  HealthInputs,
  HealthMetric,
  HealthScore,
} from '../../model/index.js';
import { groupedInteger } from '../../shared/index.js';
import { type HealthConfigOverrides, resolveHealthConfig } from './config.js';

type Unit = 'ratio' | 'ms';

interface MetricSpec {
  metric: keyof HealthInputs;
  label: string;
  unit: Unit;
  band: (config: HealthConfig) => HealthBand;
  /** The value compared with the band; defaults to the value itself. */
  compare?: (value: number) => number;
  /** Extra numbers for the text ("41 of 1,280 segments"). */
  context?: (inputs: HealthInputs) => string;
  /** How the band is named in the text ("G.114 one-way"). */
  bandName?: string;
}

interface ComponentSpec {
  id: HealthComponentId;
  label: string;
  reference: string;
  metrics: MetricSpec[];
}

const count = (value: number | undefined): string => (value === undefined ? '?' : groupedInteger(value));
const of = (part: number | undefined, whole: number | undefined, noun: string): string =>
  part === undefined && whole === undefined ? '' : `${count(part)} of ${count(whole)} ${noun}`;

function formatValue(value: number, unit: Unit): string {
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  const percent = value * 100;
  return `${percent < 1 ? percent.toFixed(2) : percent.toFixed(1)}%`;
}

const COMPONENTS: ComponentSpec[] = [
  {
    id: 'retransmissions',
    label: 'TCP retransmissions',
    reference: 'share of TCP segments retransmitted (Wireshark tcp.analysis.retransmission)',
    metrics: [
      {
        metric: 'retransmissionRate',
        label: 'retransmission rate',
        unit: 'ratio',
        band: (c) => c.retransmissionRate,
        context: (i) => of(i.retransmissions, i.tcpSegments, 'segments'),
      },
    ],
  },
  {
    id: 'loss',
    label: 'Packet loss',
    reference: 'RFC 7680 one-way loss; ITU-T Y.1541 loss bound 1e-3',
    metrics: [
      {
        metric: 'lostSegmentRate',
        label: 'lost-segment rate',
        unit: 'ratio',
        band: (c) => c.lostSegmentRate,
        context: (i) => of(i.lostSegments, i.tcpSegments, 'segments'),
      },
      {
        metric: 'dupAckRate',
        label: 'duplicate-ACK rate',
        unit: 'ratio',
        band: (c) => c.dupAckRate,
        context: (i) => of(i.dupAcks, i.tcpSegments, 'segments'),
      },
    ],
  },
  {
    id: 'rtt',
    label: 'Round-trip time',
    reference: 'ITU-T G.114 one-way delay (RTT/2): 150 ms acceptable, 400 ms unacceptable',
    metrics: [
      {
        metric: 'rttP50Ms',
        label: 'RTT p50',
        unit: 'ms',
        band: (c) => c.oneWayDelayMs,
        compare: (v) => v / 2,
        bandName: 'one-way',
        context: (i) => (i.rttSamples === undefined ? '' : `${count(i.rttSamples)} samples`),
      },
      {
        metric: 'rttP95Ms',
        label: 'RTT p95',
        unit: 'ms',
        band: (c) => c.oneWayDelayMs,
        compare: (v) => v / 2,
        bandName: 'one-way',
      },
    ],
  },
  {
    id: 'dns',
    label: 'DNS',
    reference: 'share of failed and unanswered queries, and response time p95',
    metrics: [
      {
        metric: 'dnsFailureRate',
        label: 'DNS failure rate',
        unit: 'ratio',
        band: (c) => c.dnsFailureRate,
        context: (i) => (i.dnsQueries === undefined ? '' : `of ${count(i.dnsQueries)} queries`),
      },
      {
        metric: 'dnsUnansweredRate',
        label: 'DNS unanswered rate',
        unit: 'ratio',
        band: (c) => c.dnsUnansweredRate,
      },
      {
        metric: 'dnsResponseTimeP95Ms',
        label: 'DNS response time p95',
        unit: 'ms',
        band: (c) => c.dnsResponseTimeP95Ms,
      },
    ],
  },
  {
    id: 'jitter',
    label: 'Jitter',
    reference: 'RFC 3393 IP packet delay variation; ITU-T Y.1541 IPDV bound 50 ms',
    metrics: [
      {
        metric: 'jitterMeanMs',
        label: 'IPDV mean',
        unit: 'ms',
        band: (c) => c.jitterMeanMs,
        context: (i) => (i.jitterSamples === undefined ? '' : `${count(i.jitterSamples)} samples`),
      },
      { metric: 'jitterP95Ms', label: 'IPDV p95', unit: 'ms', band: (c) => c.jitterP95Ms },
    ],
  },
  {
    id: 'anomalies',
    label: 'Protocol anomalies',
    reference: 'malformed frames, warnings and reset TCP flows',
    metrics: [
      {
        metric: 'malformedRate',
        label: 'malformed frames',
        unit: 'ratio',
        band: (c) => c.malformedRate,
        context: (i) => (i.malformedPackets === undefined ? '' : `${count(i.malformedPackets)} frames`),
      },
      {
        metric: 'warningRate',
        label: 'warnings per frame',
        unit: 'ratio',
        band: (c) => c.warningRate,
        context: (i) => (i.warnings === undefined ? '' : `${count(i.warnings)} warnings`),
      },
      {
        metric: 'resetRatio',
        label: 'reset TCP flows',
        unit: 'ratio',
        band: (c) => c.resetRatio,
        context: (i) => of(i.resetFlows, i.tcpFlows, 'TCP flows'),
      },
    ],
  },
];

function severity(compared: number, band: HealthBand): number {
  if (compared <= band.good) return 0;
  if (compared >= band.bad) return 1;
  return (compared - band.good) / (band.bad - band.good);
}

function measure(spec: MetricSpec, inputs: HealthInputs, config: HealthConfig): HealthMetric | null {
  const value = inputs[spec.metric];
  if (value === undefined || !Number.isFinite(value)) return null;
  const band = spec.band(config);
  const compared = spec.compare ? spec.compare(value) : value;
  const s = severity(compared, band);
  const context = spec.context?.(inputs) ?? '';
  const shown =
    spec.compare === undefined
      ? formatValue(value, spec.unit)
      : `${formatValue(value, spec.unit)} (≈ ${formatValue(compared, spec.unit)} ${spec.bandName ?? ''})`;
  const verdict =
    s === 0 ? 'within good' : s === 1 ? 'at or past bad' : `${Math.round(s * 100)}% of the way to bad`;
  const text =
    `${spec.label} ${shown}${context ? ` (${context})` : ''}: ${verdict}; ` +
    `good ≤ ${formatValue(band.good, spec.unit)}, bad ≥ ${formatValue(band.bad, spec.unit)}`;
  return { metric: spec.metric, value, compared, band, severity: s, text };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function component(spec: ComponentSpec, inputs: HealthInputs, config: HealthConfig, scale: number) {
  const weight = config.weights[spec.id] * scale;
  const metrics = spec.metrics.flatMap((m) => measure(m, inputs, config) ?? []);
  if (metrics.length === 0) {
    return {
      id: spec.id,
      label: spec.label,
      weight: round1(weight),
      measured: false,
      deducted: 0,
      metrics,
      explanation: 'not measured',
      reference: spec.reference,
    } satisfies HealthComponent;
  }
  let worst = metrics[0];
  for (const m of metrics) if (m.severity > worst.severity) worst = m;
  const deducted = round1(weight * worst.severity);
  const explanation =
    deducted === 0
      ? `no deduction: ${metrics.map((m) => m.text).join('; ')}`
      : `−${deducted} of ${round1(weight)}: ${worst.text}`;
  return {
    id: spec.id,
    label: spec.label,
    weight: round1(weight),
    measured: true,
    deducted,
    metrics,
    explanation,
    reference: spec.reference,
  } satisfies HealthComponent;
}

function grade(score: number): HealthScore['grade'] {
  if (score >= 90) return 'good';
  if (score >= 70) return 'fair';
  if (score >= 50) return 'poor';
  return 'critical';
}

/** Scores `inputs` (see the file's contract); `overrides` replace default weights and bands. */
export function computeHealthScore(inputs: HealthInputs, overrides?: HealthConfigOverrides): HealthScore {
  const config = resolveHealthConfig(overrides);
  const totalWeight = Object.values(config.weights).reduce((a, b) => a + b, 0);
  const scale = 100 / totalWeight;
  const components = COMPONENTS.map((spec) => component(spec, inputs, config, scale));
  const deducted = components.reduce((sum, c) => sum + c.deducted, 0);
  const score = Math.max(0, Math.min(100, Math.round(100 - deducted)));
  return {
    score,
    grade: grade(score),
    components,
    measuredComponents: components.filter((c) => c.measured).length,
    config,
  };
}
