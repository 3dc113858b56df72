import { createHash } from 'node:crypto';
import { DatabaseError, type Pool, type PoolClient, type QueryResultRow } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, type EntityManager } from 'typeorm';

const names = new Map<string, string>();

/** invalid_sql_statement_name (the statement is gone), feature_not_supported (a cached plan's result type changed) */
const STALE_PREPARED = new Set(['26000', '0A000']);

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
 * Runs a statement sent many times a second (a poll's, a search's) as a named prepared statement. TypeORM's `query` sends
 * every statement unnamed, so PostgreSQL parses and plans it on every call. Named, a statement is parsed once
 * per connection, and after five runs PostgreSQL may keep one generic plan for it instead of planning anew.
 * Inside a transaction it runs on the transaction's connection. Errors are TypeORM's `QueryFailedError`, as
 * `query` throws them. Returns the rows and how many the statement touched or returned.
 *
 * A generic plan is made with the statistics of its day and kept until the tables are analyzed again: with
 * statistics of empty tables even these statements' plans scan whole tables, and only autovacuum's ANALYZE
 * replaces them as the tables grow (`databaseWarnings` warns at boot without it). Only for statements measured
 * to gain (docs/architecture.md, Tables).
 */
export async function runPrepared<Row extends QueryResultRow>(
  db: EntityManager,
  text: string,
  values: unknown[],
): Promise<{ rows: Row[]; rowCount: number }> {
  const query = { name: statementName(text), text, values };
  const runner = db.queryRunner;
  if (runner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
  // a transaction's own connection, else one of the pool's, kept when PostgreSQL refused the statement: pg's
  // Pool.query would close it (and every statement prepared on it) on any error, a deadlock included
  const transaction = runner ? ((await runner.connect()) as PoolClient) : null;
  const client =
    transaction ?? (await (db.connection.driver as unknown as { master: Pool }).master.connect());
  let broken: Error | undefined;
  try {
    const result = await client.query<Row>(query);
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    // the connection is kept when PostgreSQL refused the statement, unless the refusal is of the statement as
    // prepared there: gone (a DISCARD ALL) or its plan outdated by a migration that changed a column's type. A new
    // connection prepares it afresh, where this one would refuse it until the process restarts
    if (!(error instanceof DatabaseError) || STALE_PREPARED.has(error.code ?? '')) broken = error as Error;
    throw new QueryFailedError(text, values, error as Error);
  } finally {
    if (!transaction) client.release(broken);
  }
}
