import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The media type a capture saw belongs to the link between a version and a body, not to the body: the same
 * bytes may be served as `application/json` by one endpoint and `text/plain` by another, and the first sighting
 * must not decide for every later one. Rows from before keep NULL and fall back to the artifact's.
 *
 * Artifact bodies are stored uncompressed out of line (STORAGE EXTERNAL) from now on, so a download can read
 * them in slices without PostgreSQL decompressing the whole value for each slice.
 */
export class ArtifactLinkMediaType1764500000000 implements MigrationInterface {
  name = 'ArtifactLinkMediaType1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE version_artifacts ADD COLUMN media_type text`);
    await db.query(`ALTER TABLE artifacts ALTER COLUMN bytes SET STORAGE EXTERNAL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE artifacts ALTER COLUMN bytes SET STORAGE EXTENDED`);
    await db.query(`ALTER TABLE version_artifacts DROP COLUMN media_type`);
  }
}
