import { type DataSource } from 'typeorm';
import { ConfigError, ensureDatabase, loadConfig } from '@app/config';
import { createDataSource, runMigrations } from '@app/persistence';

/** Runs `work` against the configured database, migrated; prints configuration errors plainly. */
export async function withDatabase<T>(work: (db: DataSource) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  await ensureDatabase(config.databaseUrl);
  const db = createDataSource(config.databaseUrl, { poolSize: 2 });
  await db.initialize();
  try {
    await runMigrations(db);
    return await work(db);
  } finally {
    await db.destroy();
  }
}
