import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `GET /api/v1/accounts` lists accounts oldest first, a page at a time after the last one seen (`listAccounts`):
 * this index reads each page in order from where the previous one stopped, rather than sorting every account.
 */
export class AccountsByCreation1769200000000 implements MigrationInterface {
  name = 'AccountsByCreation1769200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX accounts_created ON accounts (created_at, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX accounts_created`);
  }
}
