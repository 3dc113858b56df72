import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Since when an account's polls have been deferred for this process's own load (`local-overload`): the poll did
 * not reach the source, so the account keeps its status and last error, and without this mark an account deferred
 * for an hour would look current. The next poll that is not deferred (whatever its outcome) clears it. The time
 * also spaces the retries: the longer an account has been deferred, the longer it waits.
 * Capture requests get the same mark: a deferral spends none of their attempts, and they are tried again, spaced
 * the same way, for an hour from the first deferral.
 */
export class PollDeferrals1768500000000 implements MigrationInterface {
  name = 'PollDeferrals1768500000000';

  async up(db: QueryRunner): Promise<void> {
    // nullable without a default: PostgreSQL adds it without rewriting the table
    await db.query(`ALTER TABLE accounts ADD COLUMN deferred_since timestamptz`);
    // the deferred accounts, for /metrics: few or none, so the index is small, and a poll that leaves the column
    // NULL adds no entry to it
    await db.query(
      `CREATE INDEX accounts_deferred ON accounts (deferred_since)
       WHERE deferred_since IS NOT NULL AND tracking AND NOT paused`,
    );
    await db.query(`ALTER TABLE capture_requests ADD COLUMN deferred_since timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE capture_requests DROP COLUMN deferred_since`);
    await db.query(`DROP INDEX accounts_deferred`);
    await db.query(`ALTER TABLE accounts DROP COLUMN deferred_since`);
  }
}
