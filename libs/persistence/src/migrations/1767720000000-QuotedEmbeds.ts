import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Quotes from every platform's embeds and from plain links to posts.
 * - Handles are the platform's: `user` (X), `user@host` (Mastodon), a domain or a DID (Bluesky), a channel.
 * - A link-only quote (a plain link, a frame or a widget script: the post's address and none of its words)
 *   claims no text: its quoted statement has no text and is identified by the post it names (`post_key`:
 *   the account, lower-cased, and the platform's post id), its quotations no `quoted_text`.
 * - `quotations.post_id` is the platform's own id (an X or Mastodon status id, a Bluesky record key, a
 *   Telegram message id) and `post_account` the account the post's address names (a Bluesky DID, say).
 * - `statement.quoted` events name the quotation; the captured original, when known, is their statement.
 * - Quoted statements have their own text search (plain words, case and accents folded): the statement
 *   search and its index stay as they are.
 */
export class QuotedEmbeds1767720000000 implements MigrationInterface {
  name = 'QuotedEmbeds1767720000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE quoted_statements
        DROP CONSTRAINT quoted_statements_handle_check,
        ADD CONSTRAINT quoted_statements_handle_check CHECK (
          handle ~ '^[A-Za-z0-9_][A-Za-z0-9_.:@%-]*$' AND length(handle) <= 300
        ),
        ALTER COLUMN text DROP NOT NULL,
        ALTER COLUMN normalized_text DROP NOT NULL,
        ALTER COLUMN text_sha256 DROP NOT NULL,
        ADD COLUMN post_key text CHECK (length(post_key) BETWEEN 3 AND 1024),
        ADD CONSTRAINT quoted_statements_text_or_post CHECK (
          (text IS NULL) = (normalized_text IS NULL) AND (text IS NULL) = (text_sha256 IS NULL)
          AND (text IS NOT NULL OR post_key IS NOT NULL)
        )`);
    await db.query(
      `CREATE UNIQUE INDEX quoted_statements_post ON quoted_statements (platform, post_key) WHERE text IS NULL`,
    );
    await db.query(`CREATE INDEX quoted_statements_handle_seq ON quoted_statements (handle_key, seq DESC)`);
    // stored, so a search for a common word can walk quoted statements newest first and stop at a page
    await db.query(`
      ALTER TABLE quoted_statements ADD COLUMN search tsvector
        GENERATED ALWAYS AS (to_tsvector('verbatim_simple', COALESCE(normalized_text, ''))) STORED`);
    await db.query(
      `CREATE INDEX quoted_statements_search ON quoted_statements USING gin (search) WITH (fastupdate = off)`,
    );
    await db.query(`
      ALTER TABLE quotations
        DROP CONSTRAINT quotations_found_in_check,
        ADD CONSTRAINT quotations_found_in_check CHECK (found_in IN ('text', 'embed', 'link')),
        DROP CONSTRAINT quotations_post_id_check,
        ADD CONSTRAINT quotations_post_id_check CHECK (post_id ~ '^[A-Za-z0-9._:~-]+$' AND length(post_id) <= 512),
        ALTER COLUMN quoted_text DROP NOT NULL,
        ADD COLUMN post_account text CHECK (length(post_account) BETWEEN 1 AND 300)`);
    await db.query(`
      ALTER TABLE events
        ADD COLUMN quotation_id uuid REFERENCES quotations (id),
        DROP CONSTRAINT events_subject,
        ADD CONSTRAINT events_subject CHECK (
          (statement_id IS NOT NULL AND account_id IS NOT NULL)
          OR (type LIKE 'connector.%' AND platform IS NOT NULL)
          OR (type = 'statement.quoted' AND quotation_id IS NOT NULL AND (statement_id IS NULL) = (account_id IS NULL))
        )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM events WHERE type = 'statement.quoted'`);
    await db.query(`
      ALTER TABLE events
        DROP CONSTRAINT events_subject,
        DROP COLUMN quotation_id,
        ADD CONSTRAINT events_subject CHECK (
          (statement_id IS NOT NULL AND account_id IS NOT NULL) OR (type LIKE 'connector.%' AND platform IS NOT NULL)
        )`);
    await db.query(`DROP INDEX quoted_statements_search`);
    await db.query(`ALTER TABLE quoted_statements DROP COLUMN search`);
    await db.query(`DROP INDEX quoted_statements_handle_seq`);
    await db.query(`DROP INDEX quoted_statements_post`);
    // link-only quotes cannot be put back into the old shape: down refuses while any exists
    await db.query(`
      ALTER TABLE quotations
        DROP COLUMN post_account,
        ALTER COLUMN quoted_text SET NOT NULL,
        DROP CONSTRAINT quotations_post_id_check,
        ADD CONSTRAINT quotations_post_id_check CHECK (post_id ~ '^[0-9]{1,20}$'),
        DROP CONSTRAINT quotations_found_in_check,
        ADD CONSTRAINT quotations_found_in_check CHECK (found_in IN ('text', 'embed'))`);
    await db.query(`
      ALTER TABLE quoted_statements
        DROP CONSTRAINT quoted_statements_text_or_post,
        DROP COLUMN post_key,
        ALTER COLUMN text SET NOT NULL,
        ALTER COLUMN normalized_text SET NOT NULL,
        ALTER COLUMN text_sha256 SET NOT NULL,
        DROP CONSTRAINT quoted_statements_handle_check,
        ADD CONSTRAINT quoted_statements_handle_check CHECK (handle ~ '^[A-Za-z0-9_]{1,64}$')`);
  }
}
