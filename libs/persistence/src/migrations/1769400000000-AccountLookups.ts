import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Memento finds a post from the link people share by its account, named by handle in any letter case
 * (findMementoCaptures, findProfileAccountId): without this index each such lookup, which anyone may ask for, read
 * every account of the platform. One index only: every poll writes a new version of its account's row (its next
 * poll time is indexed, so the update cannot stay in place), and each index on accounts is written again with it.
 * Lookups by a Bluesky DID or a profile URL still read the platform's accounts, as before.
 */
export class AccountLookups1769400000000 implements MigrationInterface {
  name = 'AccountLookups1769400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX accounts_handle_lookup ON accounts (platform, lower(handle))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX accounts_handle_lookup`);
  }
}
