import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { makeAppendOnly } from './append-only';

/** The archive: accounts, statements, versions, artifacts, capture runs, events, tokens, capture requests. */
export class CreateArchive1764072000000 implements MigrationInterface {
  name = 'CreateArchive1764072000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await db.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        platform text NOT NULL,
        handle text NOT NULL,
        external_id text NOT NULL,
        display_name text,
        profile_url text NOT NULL,
        source_url text NOT NULL,
        tracking boolean NOT NULL DEFAULT false,
        paused boolean NOT NULL DEFAULT false,
        poll_interval_seconds integer NOT NULL CHECK (poll_interval_seconds > 0),
        -- millisecond precision: poll jobs carry this time as a JS Date and claim the account by it
        next_poll_at timestamptz(3) NOT NULL DEFAULT now(),
        cursor jsonb NOT NULL DEFAULT '{}',
        last_polled_at timestamptz,
        last_poll_status text NOT NULL DEFAULT 'never',
        last_error text,
        last_error_code text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // platform ids are per instance (two Mastodon servers both have an account 1), so the source is part of the key
    await db.query(`CREATE UNIQUE INDEX accounts_identity ON accounts (platform, source_url, external_id)`);
    await db.query(`CREATE INDEX accounts_due ON accounts (next_poll_at) WHERE tracking AND NOT paused`);

    await db.query(`
      CREATE TABLE statements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        platform text NOT NULL,
        external_id text NOT NULL,
        account_id uuid NOT NULL REFERENCES accounts (id),
        url text NOT NULL,
        authored_at timestamptz,
        first_captured_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'active',
        latest_version integer NOT NULL,
        latest_text text NOT NULL,
        search tsvector GENERATED ALWAYS AS (to_tsvector('simple', latest_text)) STORED
      )`);
    // post ids are unique within an account's source, not across instances or feeds
    await db.query(`CREATE UNIQUE INDEX statements_identity ON statements (account_id, external_id)`);
    await db.query(`CREATE INDEX statements_account_seq ON statements (account_id, seq DESC)`);
    await db.query(`CREATE INDEX statements_search ON statements USING gin (search)`);

    await db.query(`
      CREATE TABLE artifacts (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        media_type text NOT NULL,
        size integer NOT NULL,
        bytes bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (size = length(bytes)),
        CHECK (sha256 = encode(sha256(bytes), 'hex'))
      )`);

    await db.query(`
      CREATE TABLE versions (
        statement_id uuid NOT NULL REFERENCES statements (id),
        number integer NOT NULL CHECK (number > 0),
        captured_at timestamptz NOT NULL,
        record jsonb NOT NULL,
        record_sha256 text NOT NULL,
        content_sha256 text NOT NULL,
        evidence_level text NOT NULL,
        PRIMARY KEY (statement_id, number)
      )`);
    await db.query(`CREATE INDEX versions_record_sha256 ON versions (record_sha256)`);
    await db.query(`
      CREATE TABLE version_artifacts (
        statement_id uuid NOT NULL,
        version_number integer NOT NULL,
        sha256 text NOT NULL REFERENCES artifacts (sha256),
        role text NOT NULL,
        PRIMARY KEY (statement_id, version_number, sha256),
        FOREIGN KEY (statement_id, version_number) REFERENCES versions (statement_id, number)
      )`);

    await db.query(`
      CREATE TABLE capture_runs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        outcome text NOT NULL,
        http_status integer,
        posts_seen integer NOT NULL DEFAULT 0,
        posts_new integer NOT NULL DEFAULT 0,
        versions_new integer NOT NULL DEFAULT 0,
        polls integer NOT NULL DEFAULT 1,
        error_code text,
        error text
      )`);
    await db.query(`CREATE INDEX capture_runs_account ON capture_runs (account_id, started_at)`);

    await db.query(`
      CREATE TABLE events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type text NOT NULL,
        statement_id uuid NOT NULL REFERENCES statements (id),
        account_id uuid NOT NULL REFERENCES accounts (id),
        version_number integer,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX events_statement ON events (statement_id)`);

    await db.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        token_sha256 text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);

    await db.query(`
      CREATE TABLE capture_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL,
        state text NOT NULL DEFAULT 'queued',
        attempts integer NOT NULL DEFAULT 0,
        statement_ids uuid[] NOT NULL DEFAULT '{}',
        error_code text,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX capture_requests_pending ON capture_requests (created_at) WHERE state = 'queued'`,
    );

    // What was captured is never rewritten: these tables refuse UPDATE, DELETE and TRUNCATE, also under
    // session_replication_role = replica (ENABLE ALWAYS).
    await db.query(`
      CREATE FUNCTION verbatim_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '% on append-only table %', TG_OP, TG_TABLE_NAME; END $$`);
    await makeAppendOnly(db, ['artifacts', 'versions', 'version_artifacts', 'events']);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'capture_requests',
      'api_tokens',
      'events',
      'capture_runs',
      'version_artifacts',
      'versions',
      'artifacts',
      'statements',
      'accounts',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    await db.query(`DROP FUNCTION IF EXISTS verbatim_refuse_change()`);
  }
}
