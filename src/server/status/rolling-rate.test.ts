import { describe, expect, it } from 'vitest';
import { createRollingRate } from './rolling-rate.js';

describe('rolling rate', () => {
  it('is 0 before two samples, then the increase per second over the window', () => {
    const rate = createRollingRate(10_000);
    expect(rate.perSecond()).toBe(0);
    rate.add(100, 0);
    expect(rate.perSecond()).toBe(0);
    rate.add(300, 2000);
    expect(rate.perSecond()).toBe(100);
    expect(rate.spanSeconds()).toBe(2);
  });

  it('keeps one sample at the window start and forgets older ones', () => {
    const rate = createRollingRate(10_000);
    // Nothing for 20 s, then 50 a second: the last 10 s see only the 50 a second.
    for (let t = 0; t <= 30_000; t += 2000) rate.add(t < 20_000 ? 0 : ((t - 20_000) / 1000) * 50, t);
    expect(rate.spanSeconds()).toBe(10);
    expect(rate.perSecond()).toBe(50);
  });

  it('starts afresh when the total goes down', () => {
    const rate = createRollingRate(60_000);
    rate.add(500, 0);
    rate.add(900, 1000);
    rate.add(10, 2000);
    expect(rate.perSecond()).toBe(0);
    rate.add(30, 4000);
    expect(rate.perSecond()).toBe(10);
  });
});
