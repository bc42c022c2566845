import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthInputs } from '../../model/index.js';
import { FlowlensError } from '../../shared/index.js';
import { DEFAULT_HEALTH_CONFIG } from './config.js';
import { computeHealthScore } from './health-score.js';

const byId = (inputs: HealthInputs, id: string) =>
  computeHealthScore(inputs).components.find((c) => c.id === id);

describe('computeHealthScore', () => {
  it('scores 100 with nothing measured, and says so per component', () => {
    const result = computeHealthScore({});
    expect(result.score).toBe(100);
    expect(result.measuredComponents).toBe(0);
    for (const c of result.components) {
      expect(c.measured).toBe(false);
      expect(c.deducted).toBe(0);
      expect(c.explanation).toBe('not measured');
    }
  });

  it('uses the issue weights: 25, 20, 20, 15, 10, 10', () => {
    const weights = Object.fromEntries(computeHealthScore({}).components.map((c) => [c.id, c.weight]));
    expect(weights).toEqual({ retransmissions: 25, loss: 20, rtt: 20, dns: 15, jitter: 10, anomalies: 10 });
  });

  it('deducts linearly between the good and bad ends of a band', () => {
    // 3% retransmissions: halfway between 1% and 5% → 12.5 of 25.
    const c = byId({ retransmissionRate: 0.03, retransmissions: 30, tcpSegments: 1000 }, 'retransmissions');
    expect(c?.deducted).toBe(12.5);
    expect(c?.explanation).toContain('3.0%');
    expect(c?.explanation).toContain('30 of 1,000 segments');
    expect(c?.explanation).toContain('good ≤ 1.0%, bad ≥ 5.0%');
  });

  it('compares RTT halved with the G.114 one-way bands', () => {
    // RTT p95 550 ms → 275 ms one-way: halfway between 150 and 400 → 10 of 20.
    const c = byId({ rttP50Ms: 20, rttP95Ms: 550 }, 'rtt');
    expect(c?.deducted).toBe(10);
    expect(c?.explanation).toContain('≈ 275.0 ms one-way');
    expect(c?.explanation).toContain('good ≤ 150.0 ms, bad ≥ 400.0 ms');
    expect(byId({ rttP95Ms: 250 }, 'rtt')?.deducted).toBe(0);
    expect(byId({ rttP95Ms: 900 }, 'rtt')?.deducted).toBe(20);
  });

  it('takes the worst metric of a component and lists every measured one', () => {
    const c = byId({ dnsFailureRate: 0, dnsUnansweredRate: 0.1, dnsResponseTimeP95Ms: 50 }, 'dns');
    expect(c?.deducted).toBe(15);
    expect(c?.metrics.map((m) => m.metric)).toEqual([
      'dnsFailureRate',
      'dnsUnansweredRate',
      'dnsResponseTimeP95Ms',
    ]);
    expect(c?.explanation).toContain('DNS unanswered rate 10.0%');
  });

  it('adds up a bad capture', () => {
    const result = computeHealthScore({
      retransmissionRate: 0.2,
      lostSegmentRate: 0.5,
      rttP95Ms: 2000,
      dnsUnansweredRate: 1,
      jitterP95Ms: 500,
      resetRatio: 1,
    });
    expect(result.score).toBe(0);
    expect(result.grade).toBe('critical');
    expect(result.measuredComponents).toBe(6);
  });

  it('ignores NaN and infinite inputs as not measured', () => {
    expect(byId({ retransmissionRate: Number.NaN }, 'retransmissions')?.measured).toBe(false);
    expect(byId({ jitterMeanMs: Number.POSITIVE_INFINITY }, 'jitter')?.measured).toBe(false);
  });

  it('takes configured thresholds and weights, scaled to a total of 100', () => {
    const strict = computeHealthScore(
      { retransmissionRate: 0.02 },
      { retransmissionRate: { good: 0, bad: 0.02 } },
    );
    expect(strict.score).toBe(75);
    const heavy = computeHealthScore(
      { retransmissionRate: 1 },
      { weights: { retransmissions: 100, loss: 0, rtt: 0, dns: 0, jitter: 0, anomalies: 0 } },
    );
    expect(heavy.score).toBe(0);
    expect(heavy.config.weights.loss).toBe(0);
    expect(DEFAULT_HEALTH_CONFIG.retransmissionRate).toEqual({ good: 0.01, bad: 0.05 });
  });

  it('rejects an invalid configuration with a FlowlensError', () => {
    expect(() => computeHealthScore({}, { dupAckRate: { good: 0.1, bad: 0.1 } })).toThrow(FlowlensError);
    expect(() => computeHealthScore({}, { weights: { rtt: -1 } })).toThrow(/weights\.rtt/);
    expect(() =>
      computeHealthScore(
        {},
        { weights: { retransmissions: 0, loss: 0, rtt: 0, dns: 0, jitter: 0, anomalies: 0 } },
      ),
    ).toThrow(/at least one weight/);
  });

  it('stays within 0–100 and never throws for any inputs', () => {
    const value = fc.option(fc.double(), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          retransmissionRate: value,
          lostSegmentRate: value,
          dupAckRate: value,
          rttP50Ms: value,
          rttP95Ms: value,
          dnsFailureRate: value,
          dnsResponseTimeP95Ms: value,
          jitterMeanMs: value,
          malformedRate: value,
          resetRatio: value,
        }),
        (inputs) => {
          const result = computeHealthScore(inputs as HealthInputs);
          expect(result.score).toBeGreaterThanOrEqual(0);
          expect(result.score).toBeLessThanOrEqual(100);
          for (const c of result.components) expect(c.deducted).toBeLessThanOrEqual(c.weight);
        },
      ),
    );
  });
});
