import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { CallbackQueryClient } from './pg-client';
import { PG_TYPES } from './timestamps';

/** The one DataSource definition, shared by the apps, the CLI and the tests. */
export function dataSourceOptions(
  databaseUrl: string,
  options: { poolSize?: number } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      types: PG_TYPES,
      Client: CallbackQueryClient,
    },
    logging: ['error'],
  };
}

export function createDataSource(databaseUrl: string, options: { poolSize?: number } = {}): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, options));
}

/**
 * Applies pending migrations; safe to call from several processes at once (an advisory lock serialises them).
 * The lock holds one connection, so the DataSource needs a pool of at least two.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7215501)');
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7215501)').catch(() => undefined);
    await runner.release();
  }
}

/**
 * The names of the migrations this code has and the database has not applied, oldest first. Read only:
 * unlike TypeORM's showMigrations, it never creates the migrations table.
 */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const [{ table }]: { table: string | null }[] = await dataSource.query(
    `SELECT to_regclass('migrations')::text AS table`,
  );
  const applied: { name: string }[] =
    table === null ? [] : await dataSource.query('SELECT name FROM migrations');
  const names = new Set(applied.map((row) => row.name));
  return dataSource.migrations
    .map((migration) => migration.name ?? migration.constructor.name)
    .filter((name) => !names.has(name));
}

/**
 * What in PostgreSQL's settings works against Verbatim, as lines for the operator: without autovacuum nothing
 * analyzes the tables as they grow, so cached plans (prepared statements, foreign-key checks) stay stale.
 */
export async function databaseWarnings(dataSource: DataSource): Promise<string[]> {
  const [{ autovacuum }]: { autovacuum: string }[] = await dataSource.query(
    `SELECT current_setting('autovacuum') AS autovacuum`,
  );
  return autovacuum === 'on'
    ? []
    : [
        'PostgreSQL runs with autovacuum off: statistics and cached plans go stale as the archive grows, and ' +
          'polls and captures slow down with it. Turn it on (autovacuum = on in postgresql.conf).',
      ];
}
