import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { makeAppendOnly } from './append-only';

/**
 * A web page is one statement under the account that first brought it; a second tracked list (or an on-demand
 * capture) that finds the same page writes its sightings there. This table remembers which other accounts saw
 * it, so that the page is listed under each of them too (their feeds, `statements?accountId=`) and their webhook
 * and stream filters (`accountIds`) hear of its changes. `seq` is the statement's, so a list reads an account's
 * sightings in capture order from the primary key, as it reads the account's own statements from
 * statements_account_seq; one statement has one seq, so the key is also one row per account and statement.
 */
export class PageSightings1769300000000 implements MigrationInterface {
  name = 'PageSightings1769300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE statement_sightings (
        account_id uuid NOT NULL REFERENCES accounts (id),
        seq bigint NOT NULL,
        statement_id uuid NOT NULL REFERENCES statements (id),
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, seq)
      )`);
    await db.query(`CREATE INDEX statement_sightings_statement ON statement_sightings (statement_id)`);
    // a sighting is a fact of the archive's history, as its versions are: never changed or taken back
    await makeAppendOnly(db, ['statement_sightings']);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE statement_sightings`);
  }
}
