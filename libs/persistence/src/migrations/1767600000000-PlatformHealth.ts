import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Platform health from canary checks (`VERBATIM_CANARIES`): one row per platform that has a canary, its state,
 * and when it is checked next (also the claim: a check is claimed by moving `next_check_at` forward).
 * Events about a platform rather than a post (`connector.degraded`, `connector.recovered`) have no statement
 * or account: they name the platform and carry the reason in `detail`.
 */
export class PlatformHealth1767600000000 implements MigrationInterface {
  name = 'PlatformHealth1767600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE platform_health (
        platform text PRIMARY KEY,
        canary_url text NOT NULL,
        state text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'degraded')),
        reason text,
        failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        degraded_since timestamptz,
        last_checked_at timestamptz,
        last_ok_at timestamptz,
        -- the canary account as first resolved, and where its last poll stopped: later checks are one poll
        account jsonb,
        cursor jsonb NOT NULL DEFAULT '{}',
        next_check_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      ALTER TABLE events
        ALTER COLUMN statement_id DROP NOT NULL,
        ALTER COLUMN account_id DROP NOT NULL,
        ADD COLUMN platform text,
        ADD COLUMN detail text,
        ADD CONSTRAINT events_subject CHECK (
          (statement_id IS NOT NULL AND account_id IS NOT NULL) OR (type LIKE 'connector.%' AND platform IS NOT NULL)
        )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE events DROP CONSTRAINT events_subject, DROP COLUMN detail, DROP COLUMN platform`,
    );
    await db.query(`DROP TABLE platform_health`);
  }
}
