/** The ranges the range picker offers, and the default of every page with a range. */
export const RANGES = ['15m', '1h', '6h', '24h', '7d', '30d', 'all'] as const;
export const DEFAULT_RANGE = '24h';
