import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Memento finds a post from the link people share by its account, named by handle in any letter case or by the
 * platform's id, and explains a profile link from its profile URL (findMementoCaptures, findProfileAccountId).
 * Without these indexes each such lookup read every account of the platform: anyone may ask, so a miss must cost
 * an index probe. None of these columns changes when an account is polled, so its updates stay in place (HOT).
 */
export class AccountLookups1769400000000 implements MigrationInterface {
  name = 'AccountLookups1769400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX accounts_handle_lookup ON accounts (platform, lower(handle))`);
    await db.query(`CREATE INDEX accounts_platform_id ON accounts (platform, external_id)`);
    await db.query(`CREATE INDEX accounts_profile_url ON accounts (profile_url)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX accounts_handle_lookup, accounts_platform_id, accounts_profile_url`);
  }
}
