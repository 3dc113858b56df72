import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Since when a statement's re-check has been put off for this process's own load (`local-overload`). Such a refusal
 * is no answer from the source, so the statement is not checked: its next check moves a little later (spaced as a
 * deferred poll, longer the longer it lasts), and after an hour of this it is answered `unknown` as any re-check
 * that learned nothing. The next re-check that is not put off clears it.
 */
export class RecheckDeferrals1768700000000 implements MigrationInterface {
  name = 'RecheckDeferrals1768700000000';

  async up(db: QueryRunner): Promise<void> {
    // nullable without a default: PostgreSQL adds it without rewriting the table
    await db.query(`ALTER TABLE statements ADD COLUMN recheck_deferred_since timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE statements DROP COLUMN recheck_deferred_since`);
  }
}
