import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A web page is one statement whichever account's path captured it (a tracked list page, a second list linking
 * the same release, an on-demand capture under its site): the capture writer looks a page up by its identity
 * across accounts before writing it, from this index. Not unique: pages captured twice before that lookup
 * existed may be held twice, and those statements are records that are never rewritten.
 */
export class WebPageIdentity1769100000000 implements MigrationInterface {
  name = 'WebPageIdentity1769100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX statements_web_identity ON statements (external_id) WHERE platform = 'web'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX statements_web_identity`);
  }
}
