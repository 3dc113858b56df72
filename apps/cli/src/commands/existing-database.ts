import { type DataSource } from 'typeorm';
import { databaseLocation, probeDatabase } from '@app/config';
import { pendingMigrations } from '@app/persistence';

/**
 * The database a command that reads or manages an archive (audit, tokens, extract) was pointed at is not an
 * archive it may use as it is. Such a command never creates a database: a typo in DATABASE_URL would become an
 * empty archive that passes every audit and holds tokens the server never sees. Nor does it migrate one: that
 * would change the schema under a server still running the previous version. Only setting up (`verbatim
 * migrate`, or starting the server) does either.
 */
export class DatabaseNotReadyError extends Error {}

const HOW_TO_SET_UP = '`verbatim migrate` (or by starting the server)';

/** Connects once to check the database exists; never creates it. */
export async function requireExistingDatabase(databaseUrl: string): Promise<void> {
  if ((await probeDatabase(databaseUrl)) === 'exists') return;
  const { name, where } = databaseLocation(databaseUrl);
  throw new DatabaseNotReadyError(
    `DATABASE_URL: database "${name}" does not exist on ${where}: check the name, or create it with ${HOW_TO_SET_UP}`,
  );
}

/** Refuses a database this Verbatim has migrations for that it has not applied. */
export async function requireMigratedDatabase(db: DataSource, databaseUrl: string): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length === 0) return;
  const { name } = databaseLocation(databaseUrl);
  const total = db.migrations.length;
  const state =
    pending.length === total
      ? `holds no Verbatim archive (none of the ${total} migrations applied)`
      : `is behind this Verbatim (${pending.length} of ${total} migrations not applied, the newest ${pending[pending.length - 1]})`;
  throw new DatabaseNotReadyError(
    `DATABASE_URL: database "${name}" ${state}: apply them with ${HOW_TO_SET_UP}`,
  );
}
