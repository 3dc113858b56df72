import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every poll looks up its account's latest capture run (to extend a run of identical polls). By
 * (account_id, started_at) that lookup read and sorted all of the account's runs, a cost that grew with the
 * archive's age; by (account_id, id) it is one index probe. Nothing reads runs by start time.
 */
export class CaptureRunsLatest1768000000000 implements MigrationInterface {
  name = 'CaptureRunsLatest1768000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX capture_runs_account_latest ON capture_runs (account_id, id)`);
    await db.query(`DROP INDEX capture_runs_account`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX capture_runs_account ON capture_runs (account_id, started_at)`);
    await db.query(`DROP INDEX capture_runs_account_latest`);
  }
}
