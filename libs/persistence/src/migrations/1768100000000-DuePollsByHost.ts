import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When many polls are due, they are chosen host by host (`selectDueAccounts`): each host's oldest due accounts
 * read in order from this index, only as many as a tick can offer. The statistics on the host expression let
 * the planner see how many accounts each host has (it uses no statistics of a partial index's expression), so
 * it reads the index in order instead of sorting. Needs PostgreSQL 14 (statistics on an expression).
 */
export class DuePollsByHost1768100000000 implements MigrationInterface {
  name = 'DuePollsByHost1768100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX accounts_due_by_host ON accounts (split_part(source_url, '/', 3), next_poll_at, id)
       WHERE tracking AND NOT paused`,
    );
    await db.query(`CREATE STATISTICS accounts_host ON (split_part(source_url, '/', 3)) FROM accounts`);
    await db.query(`ANALYZE accounts`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP STATISTICS accounts_host`);
    await db.query(`DROP INDEX accounts_due_by_host`);
  }
}
