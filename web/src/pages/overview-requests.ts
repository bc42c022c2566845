/**
 * What the overview asks the API for, kept apart from the page so that main.tsx can start these
 * requests (and the map's chunk) before the rest of the dashboard's script has loaded. The
 * server's start-up warm-up asks the same analytics requests at the default range
 * (src/server/warm-up.ts, DASHBOARD_LANDING; test/web-warm-up.test.ts checks they agree).
 */
import { api } from '../api';
import { DEFAULT_RANGE } from '../ranges';

export const SPLITS = { protocol: 'protocol', application: 'application' } as const;

/** Hosts ranked per period: the top 8 are shown, all 20 feed "what changed". */
export const TALKERS = 20;

export type ApiRequest = [path: string, params: Record<string, string | number>];

/**
 * The overview answer also ranks the top hosts of both periods (top talkers and "what
 * changed"): one grouping per period on the server, and no request waits for another.
 */
export const summaryRequest = (range: string): ApiRequest => ['/overview', { range, topHosts: TALKERS }];
export const bandwidthRequest = (range: string, split: string): ApiRequest => [
  '/series',
  { range, splitBy: split, topK: 6 },
];
/** Ports, applications, protocols, countries (all of them, fewer than 300, for the map), networks. */
export const topRequests = (range: string): ApiRequest[] =>
  (
    [
      ['dst_port', 8],
      ['application', 8],
      ['protocol', 6],
      ['country', 300],
      ['asn', 8],
    ] as const
  ).map(([by, limit]) => ['/top', { range, by, limit }]);
export const ALERTS_REQUEST: ApiRequest = ['/alerts', { limit: 1000 }];

export function viewOf(query: URLSearchParams) {
  return {
    range: query.get('range') ?? DEFAULT_RANGE,
    split: (query.get('split') as keyof typeof SPLITS | null) ?? 'protocol',
  };
}

/** The world map's chunk (outlines included); one load, shared by every caller. */
export const loadWorldMap = () => import('../components/world-map');

/**
 * Starts the overview's requests and the map's chunk before React has rendered (main.tsx, on
 * `/`); the page's own requests then take their answers over (api.get).
 */
export function prefetchOverview(query: URLSearchParams): void {
  const { range, split } = viewOf(query);
  for (const request of [
    summaryRequest(range),
    bandwidthRequest(range, split),
    ...topRequests(range),
    ALERTS_REQUEST,
  ]) {
    api.prefetch(...request);
  }
  loadWorldMap().catch(() => undefined);
}
