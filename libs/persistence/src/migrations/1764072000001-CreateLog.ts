import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { makeAppendOnly } from './append-only';

/**
 * The transparency log: entries waiting to be sequenced, sequenced entries, the hash of every complete
 * subtree (so any proof is one indexed read), signed checkpoints, their RFC 3161 timestamps and witness
 * cosignatures. Everything but the waiting room is append-only.
 */
export class CreateLog1764072000001 implements MigrationInterface {
  name = 'CreateLog1764072000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE log_pending (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        entry bytea NOT NULL,
        statement_id uuid NOT NULL,
        version_number integer,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`
      CREATE TABLE log_entries (
        idx bigint PRIMARY KEY CHECK (idx >= 0),
        entry bytea NOT NULL,
        leaf_hash bytea NOT NULL CHECK (leaf_hash = sha256('\\x00'::bytea || entry)),
        statement_id uuid NOT NULL,
        version_number integer,
        queued_at timestamptz NOT NULL,
        integrated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`CREATE INDEX log_entries_statement ON log_entries (statement_id, version_number)`);
    await db.query(`
      CREATE TABLE log_nodes (
        level smallint NOT NULL CHECK (level >= 0),
        idx bigint NOT NULL CHECK (idx >= 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);
    await db.query(`
      CREATE TABLE log_checkpoints (
        size bigint PRIMARY KEY CHECK (size >= 0),
        root bytea NOT NULL CHECK (length(root) = 32),
        note text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`
      CREATE TABLE log_timestamps (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        checkpoint_size bigint NOT NULL REFERENCES log_checkpoints (size),
        tsa text NOT NULL,
        token bytea NOT NULL,
        gen_time timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (checkpoint_size, tsa)
      )`);
    await db.query(`
      CREATE TABLE log_cosignatures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        checkpoint_size bigint NOT NULL REFERENCES log_checkpoints (size),
        witness text NOT NULL,
        signature_line text NOT NULL,
        cosigned_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (checkpoint_size, witness)
      )`);
    // what this instance, as a witness, last cosigned for each log it follows (mutable by design)
    await db.query(`
      CREATE TABLE witnessed_logs (
        origin text PRIMARY KEY,
        size bigint NOT NULL,
        root bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await makeAppendOnly(db, [
      'log_entries',
      'log_nodes',
      'log_checkpoints',
      'log_timestamps',
      'log_cosignatures',
    ]);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'witnessed_logs',
      'log_cosignatures',
      'log_timestamps',
      'log_checkpoints',
      'log_nodes',
      'log_entries',
      'log_pending',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
  }
}
