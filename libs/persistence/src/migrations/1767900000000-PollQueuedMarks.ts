import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Which due time an account's poll job was enqueued for, when, and in which queue epoch: the scheduler then
 * enqueues each due poll once, instead of offering every tick the same oldest due accounts again while their
 * jobs wait in Redis. Nullable columns without a default: added without rewriting the table.
 */
export class PollQueuedMarks1767900000000 implements MigrationInterface {
  name = 'PollQueuedMarks1767900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE accounts ADD COLUMN poll_queued_for timestamptz(3), ADD COLUMN poll_queued_at timestamptz,
         ADD COLUMN poll_queued_epoch text`,
    );
    // room in each page, so that setting the marks (no indexed column) is a heap-only update
    await db.query(`ALTER TABLE accounts SET (fillfactor = 80)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE accounts RESET (fillfactor)`);
    await db.query(
      `ALTER TABLE accounts DROP COLUMN poll_queued_epoch, DROP COLUMN poll_queued_at, DROP COLUMN poll_queued_for`,
    );
  }
}
