/** The DuckDB flow store: `createDuckDbStore({ dataDir })`. */
export { createDuckDbStore, DATABASE_FILE, type DuckDbStoreConfig } from './duckdb-store.js';
export { SCHEMA_VERSION } from './schema.js';
