import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The URL that answered belongs to the link between a version (or an observation) and the bytes it was read
 * from, like the media type: the WARC export needs it as `WARC-Target-URI` for the request and response records
 * it rebuilds from a kept response head and body. Rows from before keep NULL; the export then names the bytes
 * by their hash instead.
 *
 * Memento's TimeGate and TimeMap look statements up by their platform URL, so that gets an index.
 */
export class ArtifactLinkUrl1767500000000 implements MigrationInterface {
  name = 'ArtifactLinkUrl1767500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE version_artifacts ADD COLUMN url text`);
    await db.query(`ALTER TABLE observation_artifacts ADD COLUMN url text`);
    await db.query(`CREATE INDEX statements_url ON statements (url)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX statements_url`);
    await db.query(`ALTER TABLE observation_artifacts DROP COLUMN url`);
    await db.query(`ALTER TABLE version_artifacts DROP COLUMN url`);
  }
}
