import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { makeAppendOnly } from './append-only';

/**
 * Statements quoted by secondary sources (news articles), kept apart from captured statements: they have no
 * versions, rechecks or account, only claims. `quoted_statements` is one quoted post: a claimed handle and a
 * text, the same whatever the white space or the handle's case (`text_sha256` hashes the normalized text).
 * `quotations` is one document's claim about it (who, when, the exact text it printed, where it was read),
 * with the document kept as an artifact and the claim's record hashed into the transparency log.
 * The link to a captured original is found when read (same platform, handle and text, or the post id an
 * embed named), so an original captured later links without changing a row. Both tables are append-only.
 */
export class QuotedStatements1767000000000 implements MigrationInterface {
  name = 'QuotedStatements1767000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE quoted_statements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        platform text NOT NULL,
        handle text NOT NULL CHECK (handle ~ '^[A-Za-z0-9_]{1,64}$'),
        handle_key text NOT NULL CHECK (handle_key = lower(handle)),
        text text NOT NULL CHECK (length(text) > 0),
        normalized_text text NOT NULL CHECK (length(normalized_text) > 0),
        text_sha256 text NOT NULL CHECK (text_sha256 = encode(sha256(convert_to(normalized_text, 'UTF8')), 'hex')),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(
      `CREATE UNIQUE INDEX quoted_statements_identity ON quoted_statements (platform, handle_key, text_sha256)`,
    );
    await db.query(`
      CREATE TABLE quotations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        quoted_statement_id uuid NOT NULL REFERENCES quoted_statements (id),
        document_sha256 text NOT NULL REFERENCES artifacts (sha256),
        source_url text,
        found_in text NOT NULL CHECK (found_in IN ('text', 'embed')),
        quoted_text text NOT NULL,
        claimed_handle text NOT NULL,
        claimed_name text,
        claimed_date date,
        post_id text CHECK (post_id ~ '^[0-9]{1,20}$'),
        post_url text,
        record jsonb NOT NULL,
        record_sha256 text NOT NULL UNIQUE CHECK (record_sha256 ~ '^[0-9a-f]{64}$'),
        extracted_at timestamptz NOT NULL
      )`);
    // one document says one thing about one quoted statement: extracting it again adds nothing
    await db.query(
      `CREATE UNIQUE INDEX quotations_document ON quotations (quoted_statement_id, document_sha256)`,
    );
    await db.query(`CREATE INDEX quotations_post ON quotations (post_id) WHERE post_id IS NOT NULL`);
    await makeAppendOnly(db, ['quoted_statements', 'quotations']);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE quotations`);
    await db.query(`DROP TABLE quoted_statements`);
  }
}
