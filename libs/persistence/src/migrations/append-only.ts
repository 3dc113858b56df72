import { type QueryRunner } from 'typeorm';

/**
 * Makes tables refuse UPDATE, DELETE and TRUNCATE, also under session_replication_role = replica
 * (ENABLE ALWAYS). Uses verbatim_refuse_change(), created by the first migration.
 */
export async function makeAppendOnly(db: QueryRunner, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await db.query(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION verbatim_refuse_change()`);
    await db.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION verbatim_refuse_change()`);
    await db.query(
      `ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${table}_no_change, ENABLE ALWAYS TRIGGER ${table}_no_truncate`,
    );
  }
}
