import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Which due time each account's poll job was enqueued for, when, and in which queue epoch: the scheduler then
 * enqueues each due poll once, instead of offering every tick the same oldest due accounts again while their
 * jobs wait in Redis. The marks describe work in flight, as Redis does: UNLOGGED, so writing them costs no WAL,
 * and a crash that empties the table only means the due polls are offered again (their job ids make that a
 * no-op). No foreign key: a mark of an account since deleted is never read.
 */
export class PollQueuedMarks1767900000000 implements MigrationInterface {
  name = 'PollQueuedMarks1767900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE UNLOGGED TABLE poll_marks (
        account_id uuid PRIMARY KEY,
        due timestamptz(3) NOT NULL,
        queued_at timestamptz NOT NULL,
        epoch text NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE poll_marks`);
  }
}
