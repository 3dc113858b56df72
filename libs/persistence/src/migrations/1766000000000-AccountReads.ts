import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Reads counted per account and calendar month (UTC), for platforms paid per read (X): `reads_month` is the
 * month the count belongs to ('2026-05'), `reads_this_month` the reads used in it. A count from an earlier
 * month is stale and starts again from zero at the next read.
 */
export class AccountReads1766000000000 implements MigrationInterface {
  name = 'AccountReads1766000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE accounts
        ADD COLUMN reads_month text,
        ADD COLUMN reads_this_month integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT accounts_reads_month CHECK (reads_month ~ '^[0-9]{4}-[0-9]{2}$'),
        ADD CONSTRAINT accounts_reads_this_month CHECK (reads_this_month >= 0)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE accounts
        DROP CONSTRAINT accounts_reads_this_month,
        DROP CONSTRAINT accounts_reads_month,
        DROP COLUMN reads_this_month,
        DROP COLUMN reads_month`);
  }
}
