/**
 * Applies pending schema migrations at start-up. All pending migrations and their
 * `schema_migrations` rows commit in one transaction: a crash leaves the old version, and a
 * second start finds nothing to do.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { MIGRATIONS, type Migration } from './schema.js';
import { nowTimestamp } from './values.js';

/** Returns the versions applied now, in order (empty when the schema was current). */
export async function runMigrations(
  connection: DuckDBConnection,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await connection.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  applied_at TIMESTAMP NOT NULL,
  description VARCHAR NOT NULL
)`);
  const current = await schemaVersion(connection);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return [];
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const migration of pending) {
      for (const statement of migration.statements) await connection.run(statement);
      await connection.run('INSERT INTO schema_migrations VALUES (?, ?, ?)', [
        migration.version,
        nowTimestamp(),
        migration.description,
      ]);
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
  return pending.map((m) => m.version);
}

/** The highest applied migration, 0 for an empty database. */
export async function schemaVersion(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll(
    'SELECT coalesce(max(version), 0) AS v FROM schema_migrations',
  );
  return Number(reader.getRowObjects()[0].v);
}
