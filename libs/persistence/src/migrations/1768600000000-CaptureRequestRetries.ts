import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When a queued capture request is next tried: after a passing failure of the source, when the queue's backoff
 * ends; after a deferral for our own load, when the deferral ends. The scheduler re-queues a request whose job was
 * lost (a flushed Redis) only from then on, so a flush keeps the spacing, and a request whose job is waiting its
 * turn is not offered to Redis again on every scheduler tick.
 */
export class CaptureRequestRetries1768600000000 implements MigrationInterface {
  name = 'CaptureRequestRetries1768600000000';

  async up(db: QueryRunner): Promise<void> {
    // nullable without a default: PostgreSQL adds it without rewriting the table; the scheduler reads queued
    // requests through capture_requests_pending, and queued requests are few
    await db.query(`ALTER TABLE capture_requests ADD COLUMN retry_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE capture_requests DROP COLUMN retry_at`);
  }
}
