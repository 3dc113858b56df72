import { withDatabase } from './with-database';

export async function migrateCommand(): Promise<void> {
  await withDatabase(
    async (db) => {
      const [{ count }]: { count: string }[] = await db.query('SELECT count(*) FROM migrations');
      console.log(`database is up to date (${count} migrations applied)`);
    },
    { setUp: true },
  );
}
