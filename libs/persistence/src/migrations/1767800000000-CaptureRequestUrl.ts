import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Finds the capture already asked for a URL (`requestCaptureOnce`), so embeds ask for one capture, not one per page. */
export class CaptureRequestUrl1767800000000 implements MigrationInterface {
  name = 'CaptureRequestUrl1767800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX capture_requests_url ON capture_requests (url, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX capture_requests_url`);
  }
}
