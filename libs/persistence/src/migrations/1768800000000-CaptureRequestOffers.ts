import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When the scheduler last offered a queued capture request's job to Redis, and under which queue epoch. A request
 * waiting its turn in a long queue was offered again on every tick (a no-op add, but one Redis call per request
 * per second while the queue lasted); now only after the queue's Redis was flushed or a minute has passed.
 */
export class CaptureRequestOffers1768800000000 implements MigrationInterface {
  name = 'CaptureRequestOffers1768800000000';

  async up(db: QueryRunner): Promise<void> {
    // nullable without a default: PostgreSQL adds them without rewriting the table
    await db.query(
      `ALTER TABLE capture_requests ADD COLUMN offered_at timestamptz, ADD COLUMN offered_epoch text`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE capture_requests DROP COLUMN offered_at, DROP COLUMN offered_epoch`);
  }
}
