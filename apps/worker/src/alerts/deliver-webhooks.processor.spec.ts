import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Queue, type Job } from 'bullmq';
import { type DataSource } from 'typeorm';
import { WebhookDeliverer } from '@app/alerts';
import { MetricsService } from '@app/observability';
import { createDataSource } from '@app/persistence';
import { bullOptions, JobName, QueueName } from '@app/queues';
import { testHttpClient } from '@app/testing/test-http-client';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { DeliverWebhooksProcessor } from './deliver-webhooks.processor';

/** What a delivery job asks for after it completes, on a real database, queue and receiver. */
describe('DeliverWebhooksProcessor: the round asked for once a job is complete', () => {
  let env: TestEnvironment;
  let db: DataSource;
  let webhooks: Queue;
  let server: Server;
  const received: string[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
    webhooks = new Queue(QueueName.Webhooks, bullOptions(env.config()));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString());
        res.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await webhooks?.close();
    await db?.destroy();
    await env?.destroy();
  });

  /** Two platform events in the outbox, both to be delivered to one subscription (no statement: in order). */
  async function twoDeliveries(url: string): Promise<[string, string]> {
    const ids: string[] = [];
    const [{ id: subscriptionId }]: { id: string }[] = await db.query(
      `INSERT INTO subscriptions (url, events, secret, starts_after)
       VALUES ($1, '{connector.degraded}', $2, 0) RETURNING id`,
      [url, `whsec_${Buffer.alloc(24, 7).toString('base64')}`],
    );
    for (const position of [1, 2]) {
      const [{ id: eventId }]: { id: string }[] = await db.query(
        `INSERT INTO events (type, platform, detail) VALUES ('connector.degraded', 'mastodon', $1) RETURNING id`,
        [`event ${position}`],
      );
      await db.query(`INSERT INTO event_outbox (position, event_id, payload) VALUES ($1, $2, $3)`, [
        position,
        eventId,
        Buffer.from(`{"event":${position}}`),
      ]);
      const [{ id }]: { id: string }[] = await db.query(
        `INSERT INTO deliveries (subscription_id, position) VALUES ($1, $2) RETURNING id`,
        [subscriptionId, position],
      );
      ids.push(id);
    }
    return [ids[0], ids[1]];
  }

  /** The rounds asked for, to run now and in a later slot; dropped after reading, so each step reads its own. */
  async function roundsAskedFor(): Promise<{ now: number; later: number }> {
    const { waiting, delayed } = await webhooks.getJobCounts('waiting', 'delayed');
    await webhooks.drain(true);
    return { now: waiting, later: delayed };
  }

  it('asks for one only when a round would take a delivery: one held behind a retrying delivery is not', async () => {
    const { port } = server.address() as AddressInfo;
    const [first, second] = await twoDeliveries(`http://127.0.0.1:${port}/hook`);
    // the first is waiting for its retry in an hour; the second is due but must not overtake it
    await db.query(`UPDATE deliveries SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [
      first,
    ]);
    // a round takes up to 16: both, were they claimable at once
    const config = env.config({ VERBATIM_WEBHOOK_CONCURRENCY: '16' });
    const processor = new DeliverWebhooksProcessor(
      new WebhookDeliverer(db, config, testHttpClient(), new MetricsService()),
      db,
      webhooks,
    );
    const job = { name: JobName.DeliverWebhooks } as Job;

    expect(await processor.process(job)).toBe(0);
    await processor.onCompleted(job, 0);
    // asking would find nothing, again and again, for an hour
    expect(await roundsAskedFor()).toEqual({ now: 0, later: 0 });

    // the retry comes due after a job that took nothing (say another worker's claim held it): the next slot
    await db.query(`UPDATE deliveries SET next_attempt_at = now() WHERE id = $1`, [first]);
    await processor.onCompleted(job, 0);
    expect(await roundsAskedFor()).toEqual({ now: 0, later: 1 });

    // that round delivers the first; the second, held at its claim, is asked for at once after it
    expect(await processor.process(job)).toBe(1);
    await processor.onCompleted(job, 1);
    expect(await roundsAskedFor()).toEqual({ now: 1, later: 0 });
    expect(await processor.process(job)).toBe(1);
    await processor.onCompleted(job, 1);
    expect(await roundsAskedFor()).toEqual({ now: 0, later: 0 });

    expect(received).toEqual(['{"event":1}', '{"event":2}']);
    const states: { id: string; state: string }[] = await db.query(
      `SELECT id, state FROM deliveries WHERE id = ANY($1) ORDER BY position`,
      [[first, second]],
    );
    expect(states.map((row) => row.state)).toEqual(['delivered', 'delivered']);
  });
});
