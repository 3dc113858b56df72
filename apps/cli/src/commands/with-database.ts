import { type DataSource } from 'typeorm';
import { ConfigError, ensureDatabase, loadConfig } from '@app/config';
import { createDataSource, runMigrations } from '@app/persistence';
import { DatabaseNotReadyError, requireExistingDatabase, requireMigratedDatabase } from './existing-database';

/** Exit code of a command refused a database that is missing or behind: it could not run, as for a wrong option. */
export const EXIT_DATABASE_NOT_READY = 2;

/**
 * Runs `work` against the configured database; prints configuration errors plainly. With `setUp` (migrate) the
 * database is created when missing and migrated, as the server does at start; without it (every command that
 * reads or manages an existing archive) a missing or unmigrated database is refused, exit 2.
 */
export async function withDatabase<T>(
  work: (db: DataSource) => Promise<T>,
  { setUp = false }: { setUp?: boolean } = {},
): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // the command could not run, as for a database not ready: 1 is a command's own failure (an audit that failed)
      console.error(error.message);
      process.exit(EXIT_DATABASE_NOT_READY);
    }
    throw error;
  }
  try {
    if (setUp) await ensureDatabase(config.databaseUrl);
    else await requireExistingDatabase(config.databaseUrl);
    const db = createDataSource(config.databaseUrl, { poolSize: 2 });
    await db.initialize();
    try {
      if (setUp) await runMigrations(db);
      else await requireMigratedDatabase(db, config.databaseUrl);
      return await work(db);
    } finally {
      await db.destroy();
    }
  } catch (error) {
    if (!(error instanceof DatabaseNotReadyError)) throw error;
    console.error(error.message);
    process.exit(EXIT_DATABASE_NOT_READY);
  }
}
