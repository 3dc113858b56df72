import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { makeAppendOnly } from './append-only';

/**
 * Rechecks and observations. Statements get their recheck schedule (next_check_at, null: never again) and
 * the deletion state machine's memory (status_changed_at, missing_since, status_reason). An observation is a
 * recorded fact without new content (seen missing, confirmed deleted, restored, account unavailable), kept
 * with the platform's answers that showed it (observation_artifacts); both append-only. Log entries and events
 * may name the observation they record. Versions say where they came from: our own capture, or the
 * platform's edit history.
 */
export class CreateRechecks1765000000000 implements MigrationInterface {
  name = 'CreateRechecks1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE statements
        ADD COLUMN next_check_at timestamptz(3),
        ADD COLUMN last_checked_at timestamptz,
        ADD COLUMN status_changed_at timestamptz,
        ADD COLUMN status_reason text,
        ADD COLUMN missing_since timestamptz,
        ADD CONSTRAINT statements_status CHECK (status IN ('active', 'missing', 'deleted', 'unavailable')),
        ADD CONSTRAINT statements_missing_since CHECK ((status = 'missing') = (missing_since IS NOT NULL))`);
    // statements captured before rechecks existed are due at once; the schedule spaces them out from there
    await db.query(`UPDATE statements SET next_check_at = now()`);
    await db.query(
      `CREATE INDEX statements_check_due ON statements (next_check_at, account_id) WHERE next_check_at IS NOT NULL`,
    );
    await db.query(`CREATE INDEX statements_status_seq ON statements (status, seq DESC)`);

    await db.query(`
      ALTER TABLE accounts
        ADD COLUMN unavailable_since timestamptz,
        ADD COLUMN unavailable_reason text`);

    await db.query(`ALTER TABLE versions ADD COLUMN source text NOT NULL DEFAULT 'capture'`);

    await db.query(`
      CREATE TABLE observations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        statement_id uuid NOT NULL REFERENCES statements (id),
        account_id uuid NOT NULL REFERENCES accounts (id),
        status text NOT NULL,
        previous_status text NOT NULL,
        reason text,
        detail text,
        http_status integer,
        observed_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX observations_statement ON observations (statement_id, observed_at)`);
    await db.query(`
      CREATE TABLE observation_artifacts (
        observation_id uuid NOT NULL REFERENCES observations (id),
        sha256 text NOT NULL REFERENCES artifacts (sha256),
        role text NOT NULL,
        media_type text NOT NULL,
        PRIMARY KEY (observation_id, sha256)
      )`);
    await makeAppendOnly(db, ['observations', 'observation_artifacts']);

    await db.query(`ALTER TABLE log_pending ADD COLUMN observation_id uuid`);
    await db.query(`ALTER TABLE log_entries ADD COLUMN observation_id uuid`);
    await db.query(
      `CREATE UNIQUE INDEX log_entries_observation ON log_entries (observation_id) WHERE observation_id IS NOT NULL`,
    );
    await db.query(`ALTER TABLE events ADD COLUMN observation_id uuid`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE events DROP COLUMN observation_id`);
    await db.query(`DROP INDEX log_entries_observation`);
    await db.query(`ALTER TABLE log_entries DROP COLUMN observation_id`);
    await db.query(`ALTER TABLE log_pending DROP COLUMN observation_id`);
    await db.query(`DROP TABLE observation_artifacts`);
    await db.query(`DROP TABLE observations`);
    await db.query(`ALTER TABLE versions DROP COLUMN source`);
    await db.query(`ALTER TABLE accounts DROP COLUMN unavailable_since, DROP COLUMN unavailable_reason`);
    await db.query(`DROP INDEX statements_status_seq`);
    await db.query(`DROP INDEX statements_check_due`);
    await db.query(`
      ALTER TABLE statements
        DROP CONSTRAINT statements_missing_since,
        DROP CONSTRAINT statements_status,
        DROP COLUMN next_check_at, DROP COLUMN last_checked_at, DROP COLUMN status_changed_at,
        DROP COLUMN status_reason, DROP COLUMN missing_since`);
  }
}
