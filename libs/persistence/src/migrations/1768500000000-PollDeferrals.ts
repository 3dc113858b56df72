import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Since when an account's polls have been deferred for this process's own load (`local-overload`): the poll did
 * not reach the source, so the account keeps its status and last error, and without this mark an account deferred
 * for an hour would look current. The next poll that reaches the source (with any outcome) clears it. The time
 * also spaces the retries: the longer an account has been deferred, the longer it waits (never past its interval).
 */
export class PollDeferrals1768500000000 implements MigrationInterface {
  name = 'PollDeferrals1768500000000';

  async up(db: QueryRunner): Promise<void> {
    // nullable without a default: PostgreSQL adds it without rewriting the table
    await db.query(`ALTER TABLE accounts ADD COLUMN deferred_since timestamptz`);
    // the deferred accounts, for /metrics: few or none, so the index is small, and the polls that leave the column
    // NULL do not touch it (their updates stay HOT)
    await db.query(
      `CREATE INDEX accounts_deferred ON accounts (deferred_since) WHERE deferred_since IS NOT NULL AND tracking`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX accounts_deferred`);
    await db.query(`ALTER TABLE accounts DROP COLUMN deferred_since`);
  }
}
