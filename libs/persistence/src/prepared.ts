import { createHash } from 'node:crypto';
import { type Pool, type PoolClient, type QueryResultRow } from 'pg';
import { QueryFailedError, type EntityManager } from 'typeorm';

const names = new Map<string, string>();

/** A statement's name on every connection: from its text, so one name never stands for two texts. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `verbatim_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs a statement the workers send many times a second as a named prepared statement. TypeORM's `query` sends
 * every statement unnamed, so PostgreSQL parses and plans it on every call. Named, a statement is parsed once
 * per connection, and after five runs PostgreSQL may keep one generic plan for it instead of planning anew.
 * Inside a transaction it runs on the transaction's connection. Errors are TypeORM's `QueryFailedError`, as
 * `query` throws them. Returns the rows and, for an UPDATE or DELETE, how many it touched.
 *
 * Only for statements whose every plan reads by index whatever the tables' sizes: a generic plan is made with
 * the statistics of its day and kept until the tables are analyzed again. The statement upsert, prepared, kept
 * a plan made while `versions` was nearly empty and went from 2.2 to 12.7 ms a call as it filled (autovacuum
 * off, nothing analyzed it again); it stays unnamed. Autovacuum's ANALYZE is what replaces a stale generic plan:
 * a server without it is warned of at boot (`databaseWarnings`). A pooler in front of PostgreSQL must support prepared
 * statements (PgBouncer 1.21 or later with `max_prepared_statements`).
 */
export async function runPrepared<Row extends QueryResultRow>(
  db: EntityManager,
  text: string,
  values: unknown[],
): Promise<{ rows: Row[]; rowCount: number }> {
  const query = { name: statementName(text), text, values };
  try {
    const runner = db.queryRunner;
    const result =
      runner && !runner.isReleased
        ? await ((await runner.connect()) as PoolClient).query<Row>(query)
        : await (db.connection.driver as unknown as { master: Pool }).master.query<Row>(query);
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}
