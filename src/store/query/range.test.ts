import { describe, expect, it } from 'vitest';
import { parseRange, parseTime, previousPeriod } from './range.js';
import { autoBucket } from './series.js';
import { sql } from './sql.js';

describe('parseRange', () => {
  it.each([
    ['1h', { kind: 'relative', seconds: 3600 }],
    ['24h', { kind: 'relative', seconds: 86_400 }],
    ['7d', { kind: 'relative', seconds: 604_800 }],
    ['15m', { kind: 'relative', seconds: 900 }],
    ['ALL', { kind: 'all' }],
    ['1700000000..1700003600', { kind: 'absolute', from: 1_700_000_000, to: 1_700_003_600 }],
    ['2024-05-01T00:00:00Z..2024-05-02', { kind: 'absolute', from: 1_714_521_600, to: 1_714_608_000 }],
    ['2024-05-01T02:00:00+02:00..', { kind: 'absolute', from: 1_714_521_600, to: undefined }],
    ['..2024-05-01T00:00:00', { kind: 'absolute', from: undefined, to: 1_714_521_600 }],
  ])('%s', (text, spec) => {
    expect(parseRange(text)).toEqual(spec);
  });

  it.each(['', 'yesterday', '1y', '0h', '5..4', '2024-13-45..', 'x..y'])('refuses %j', (text) => {
    expect(() => parseRange(text)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('parses epoch seconds with a fraction', () => {
    expect(parseTime('1700000000.25')).toBe(1_700_000_000.25);
  });

  it('the previous period has the same length and ends where the range starts', () => {
    expect(previousPeriod({ from: 100, to: 160 })).toEqual({ from: 40, to: 100 });
  });
});

describe('autoBucket', () => {
  it.each([
    [60, 1],
    [3600, 10],
    [6 * 3600, 60],
    [86_400, 300],
    [7 * 86_400, 3600],
    [30 * 86_400, 21_600],
    [365 * 86_400, 86_400],
    [2000 * 86_400, 5 * 86_400],
  ])('%i s → %i s buckets', (span, bucket) => {
    expect(autoBucket({ from: 0, to: span })).toBe(bucket);
  });
});

describe('sql', () => {
  it('turns values into placeholders and inlines fragments in order', () => {
    const inner = sql`b = ${2} AND c = ${'x'}`;
    const statement = sql`SELECT * FROM flows WHERE a = ${1} AND ${inner} AND d = ${"'; DROP TABLE flows; --"}`;
    expect(statement.text).toBe('SELECT * FROM flows WHERE a = ? AND b = ? AND c = ? AND d = ?');
    expect(statement.params).toEqual([1, 2, 'x', "'; DROP TABLE flows; --"]);
  });
});
