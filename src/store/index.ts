/**
 * The flow store: the FlowStore contract and its DuckDB implementation. Composition roots
 * (cli, server) create a store here; stages never import it.
 */
export { createDuckDbStore, DATABASE_FILE, type DuckDbStoreConfig, SCHEMA_VERSION } from './duckdb/index.js';
export type * from './store.js';
export { ALERT_SEVERITIES, ALERT_STATES } from './store.js';
