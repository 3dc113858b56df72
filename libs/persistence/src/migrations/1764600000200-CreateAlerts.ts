import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { makeAppendOnly } from './append-only';

/**
 * Subscriptions and their webhook deliveries, fed by a durable outbox over `events`.
 *
 * Event ids are taken when a row is inserted, but transactions commit in any order, so "every event after
 * id N" would skip an event whose transaction commits late. Each event records the id of the transaction
 * that wrote it (`xid`); the outbox sequencer positions, in id order, only events of transactions older
 * than every transaction still running (pg_snapshot_xmin), and remembers that boundary. An event therefore
 * gets a position exactly once, and positions follow commit visibility, which keeps a statement's events in
 * the order they were written (its row lock serialises the writers).
 */
export class CreateAlerts1764600000200 implements MigrationInterface {
  name = 'CreateAlerts1764600000200';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await db.query(`CREATE INDEX events_xid ON events (xid)`);

    await db.query(`
      CREATE TABLE event_outbox (
        position bigint PRIMARY KEY,
        event_id bigint NOT NULL UNIQUE REFERENCES events (id),
        -- the body every subscriber receives for this event, fixed once so retries sign the same bytes
        payload bytea NOT NULL,
        sequenced_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE outbox_state (
        id integer PRIMARY KEY CHECK (id = 1),
        -- every event written by a transaction below this id has a position
        sequenced_below xid8 NOT NULL
      )`);
    await db.query(`INSERT INTO outbox_state (id, sequenced_below) VALUES (1, '0'::xid8)`);

    await db.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL,
        events text[] NOT NULL,
        account_ids uuid[],
        keywords text[],
        -- the signing key (whsec_…): shown once at creation, kept to sign deliveries
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- the first failed attempt of the current failing streak; a day of it disables the subscription
        failing_since timestamptz,
        disabled_at timestamptz,
        disabled_reason text,
        deleted_at timestamptz,
        -- the first event position this subscription hears about: it is not sent the past
        starts_after bigint NOT NULL
      )`);

    await db.query(`
      CREATE TABLE deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES subscriptions (id),
        position bigint NOT NULL REFERENCES event_outbox (position),
        statement_id uuid,
        state text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (subscription_id, position)
      )`);
    await db.query(`CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending'`);
    await db.query(
      `CREATE INDEX deliveries_order ON deliveries (subscription_id, statement_id, position) WHERE state = 'pending'`,
    );

    await db.query(`
      CREATE TABLE delivery_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id bigint NOT NULL REFERENCES deliveries (id),
        attempted_at timestamptz NOT NULL,
        status_code integer,
        latency_ms integer NOT NULL,
        error text
      )`);
    await db.query(`CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id)`);
    await makeAppendOnly(db, ['event_outbox', 'delivery_attempts']);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['delivery_attempts', 'deliveries', 'subscriptions', 'outbox_state', 'event_outbox'])
      await db.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    await db.query(`DROP INDEX IF EXISTS events_xid`);
    await db.query(`ALTER TABLE events DROP COLUMN xid`);
  }
}
