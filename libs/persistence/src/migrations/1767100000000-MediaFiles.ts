import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Media files (photos, videos, link-preview images) attached to captured posts.
 *
 * `artifacts.storage` says where an artifact's bytes live: `database` (the `bytes` column, as until now) or
 * `blobs` (the content-addressed blob store, VERBATIM_DATA_DIR/blobs; `bytes` is then NULL). The hash and
 * length checks stay for bytes held in the database; `verbatim audit` rehashes blob files.
 *
 * `media_files` lists each media item of a version's record with what downloading it gave: `pending`,
 * `stored` (sha256, size, media type), `skipped` (too large: reason) or `failed` (reason). It is the one
 * mutable table here: a download finishes after the version is sealed, so the outcome cannot be part of the
 * record; a stored file is also committed to by a `media` log entry.
 */
export class MediaFiles1767100000000 implements MigrationInterface {
  name = 'MediaFiles1767100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE artifacts ADD COLUMN storage text NOT NULL DEFAULT 'database' CHECK (storage IN ('database', 'blobs'))`,
    );
    await db.query(`ALTER TABLE artifacts ALTER COLUMN bytes DROP NOT NULL`);
    await db.query(`ALTER TABLE artifacts DROP CONSTRAINT artifacts_check, DROP CONSTRAINT artifacts_check1`);
    await db.query(`ALTER TABLE artifacts ADD CONSTRAINT artifacts_bytes_where_stored CHECK (
      CASE storage
        WHEN 'database' THEN bytes IS NOT NULL AND size = length(bytes) AND sha256 = encode(sha256(bytes), 'hex')
        ELSE bytes IS NULL AND size >= 0
      END)`);

    await db.query(`
      CREATE TABLE media_files (
        statement_id uuid NOT NULL,
        version_number integer NOT NULL,
        position integer NOT NULL CHECK (position >= 0),
        url text NOT NULL,
        kind text NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored', 'skipped', 'failed')),
        sha256 text REFERENCES artifacts (sha256),
        size bigint,
        media_type text,
        reason text,
        attempts integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (statement_id, version_number, position),
        FOREIGN KEY (statement_id, version_number) REFERENCES versions (statement_id, number),
        CHECK ((state = 'stored') = (sha256 IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX media_files_waiting ON media_files (updated_at) WHERE state = 'pending'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE media_files`);
    await db.query(`ALTER TABLE artifacts DROP CONSTRAINT artifacts_bytes_where_stored`);
    await db.query(`ALTER TABLE artifacts ADD CONSTRAINT artifacts_check CHECK (size = length(bytes))`);
    await db.query(
      `ALTER TABLE artifacts ADD CONSTRAINT artifacts_check1 CHECK (sha256 = encode(sha256(bytes), 'hex'))`,
    );
    await db.query(`ALTER TABLE artifacts ALTER COLUMN bytes SET NOT NULL`);
    await db.query(`ALTER TABLE artifacts DROP COLUMN storage`);
  }
}
