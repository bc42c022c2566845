/**
 * The query layer: every read the CLI, the HTTP API and the dashboard make of the flow store.
 * All of its SQL lives in this folder; values are always parameters and identifiers come only
 * from the whitelists here (dimensions, sort fields, flow columns) and the filter catalogue.
 * Each query takes a FlowStore and a resolved time range; see docs/queries.md.
 */
export { DIMENSIONS, type Dimension, isDimension, isMetric, METRICS, type Metric } from './dimensions.js';
export {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  exportFlows,
} from './export.js';
export { type CompiledFilter, compileFilter } from './filter-sql.js';
export { FLOW_ROW_FIELDS, type FlowRow } from './flow-row.js';
export { type HostDetail, type HostOptions, hostDetail, type Usage } from './host.js';
export {
  ACTIVE_WINDOW,
  MAX_TOP_HOSTS,
  type OverviewOptions,
  type OverviewResult,
  overview,
  type Totals,
} from './overview.js';
export {
  parseRange,
  parseTime,
  previousPeriod,
  type RangeSpec,
  type ResolvedRange,
  type ResolveOptions,
  resolveRange,
  type TimeRange,
} from './range.js';
export {
  isSortField,
  type SearchOptions,
  type SearchResult,
  SORT_FIELDS,
  type SortDirection,
  type SortField,
  searchFlows,
} from './search.js';
export type { FilterInput } from './selection.js';
export {
  autoBucket,
  BUCKET_SIZES,
  MAX_AUTO_BUCKETS,
  type SeriesLine,
  type SeriesOptions,
  type SeriesResult,
  series,
} from './series.js';
export {
  type AddressSeen,
  domainSightings,
  ipSightings,
  type NameSeen,
  type SightingOptions,
  type Sightings,
} from './sightings.js';
export { MAX_LIMIT, type TopOptions, type TopResult, type TopRow, top } from './top.js';
