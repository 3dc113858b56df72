import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { makeAppendOnly } from './append-only';

/**
 * Versions whose edit history came incomplete. When we capture a post that was edited since we last saw it, the
 * platform's edit history gives the versions we missed; if that history could not be read, or was cut short (a
 * host listing thousands of edits), the archive holds fewer versions than the platform had, and a reader must be
 * told so, not left to count. One row for the version captured with that history, written in its transaction.
 * Our own note, not part of the record: it is not in the transparency log, and is append-only like the versions.
 */
export class VersionHistoryGaps1769000000000 implements MigrationInterface {
  name = 'VersionHistoryGaps1769000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE version_history_gaps (
        statement_id uuid NOT NULL,
        version_number integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('not-read', 'cut-short')),
        detail text NOT NULL,
        noted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (statement_id, version_number),
        FOREIGN KEY (statement_id, version_number) REFERENCES versions (statement_id, number)
      )`);
    await makeAppendOnly(db, ['version_history_gaps']);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE version_history_gaps`);
  }
}
