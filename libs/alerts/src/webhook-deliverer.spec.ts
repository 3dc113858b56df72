import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type DataSource } from 'typeorm';
import { MetricsService } from '@app/observability';
import { createDataSource } from '@app/persistence';
import { testHttpClient } from '@app/testing/test-http-client';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { DEFERRED_RETRY_SECONDS } from './retry-policy';
import { WebhookDeliverer } from './webhook-deliverer';

/** Webhook deliveries against a real database and real receivers on 127.0.0.1. */
describe('WebhookDeliverer (on a real database)', () => {
  let env: TestEnvironment;
  let db: DataSource;
  const servers: Server[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 4 });
    await db.initialize();
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await db?.destroy();
    await env?.destroy();
  });

  async function receiver(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => handler(req, res));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  /** A subscription of `url` and one pending delivery of a platform event to it; their ids. */
  async function pendingDelivery(url: string, position: number) {
    const [{ id: eventId }]: { id: string }[] = await db.query(
      `INSERT INTO events (type, platform, detail) VALUES ('connector.degraded', 'mastodon', 'canary failing')
       RETURNING id`,
    );
    await db.query(`INSERT INTO event_outbox (position, event_id, payload) VALUES ($1, $2, $3)`, [
      position,
      eventId,
      Buffer.from('{"type":"connector.degraded"}'),
    ]);
    const [{ id: subscriptionId }]: { id: string }[] = await db.query(
      `INSERT INTO subscriptions (url, events, secret, starts_after)
       VALUES ($1, '{connector.degraded}', $2, 0) RETURNING id`,
      [url, `whsec_${Buffer.alloc(24, 7).toString('base64')}`],
    );
    const [{ id: deliveryId }]: { id: string }[] = await db.query(
      `INSERT INTO deliveries (subscription_id, position) VALUES ($1, $2) RETURNING id`,
      [subscriptionId, position],
    );
    return { subscriptionId, deliveryId };
  }

  async function deliveryRow(id: string) {
    const [row]: { state: string; attempts: number; next_attempt_at: Date; failing_since: Date | null }[] =
      await db.query(
        `SELECT d.state, d.attempts, d.next_attempt_at, s.failing_since
         FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.id = $1`,
        [id],
      );
    const attempts: { error: string | null }[] = await db.query(
      `SELECT error FROM delivery_attempts WHERE delivery_id = $1`,
      [id],
    );
    return { ...row, recorded: attempts.map((a) => a.error) };
  }

  it('a delivery whose answer our own load could not read is deferred: no attempt spent, no failing streak', async () => {
    // holds 600 of the 1,000 bytes the client may receive at once for 1.2 s
    const slow = await receiver((_req, res) => {
      res.writeHead(200, { 'content-length': '600' }).flushHeaders();
      let sent = 0;
      const timer = setInterval(() => {
        res.write(Buffer.alloc(100, 0x61));
        if ((sent += 100) === 600) {
          clearInterval(timer);
          res.end();
        }
      }, 200);
    });
    // answers while the slow one is arriving: its 500 bytes do not fit
    const crowded = await receiver((_req, res) =>
      setTimeout(() => res.writeHead(200, { 'content-length': '500' }).end(Buffer.alloc(500, 0x62)), 300),
    );
    const down = await receiver((_req, res) => res.writeHead(503).end());
    const delivered = await pendingDelivery(slow, 1);
    const deferred = await pendingDelivery(crowded, 2);
    const failed = await pendingDelivery(down, 3);
    const metrics = new MetricsService();
    const http = testHttpClient({
      allowPrivateNetworks: true,
      maxBytes: 1000,
      maxBytesInFlight: 1000,
      totalTimeoutMs: 5000,
    });
    const deliverer = new WebhookDeliverer(db, env.config(), http, metrics);

    const roundAt = Date.now();
    expect(await deliverer.deliverOnce().finally(() => http.close())).toEqual({ attempted: 3, more: false });

    expect(await deliveryRow(delivered.deliveryId)).toMatchObject({ state: 'delivered', attempts: 1 });
    const put = await deliveryRow(deferred.deliveryId);
    expect(put).toMatchObject({ state: 'pending', attempts: 0, failing_since: null });
    expect(put.recorded).toEqual([expect.stringContaining('response not read')]);
    expect(put.next_attempt_at.getTime()).toBeGreaterThanOrEqual(
      roundAt + DEFERRED_RETRY_SECONDS.soonest * 1000,
    );
    expect(put.next_attempt_at.getTime()).toBeLessThanOrEqual(
      Date.now() + DEFERRED_RETRY_SECONDS.latest * 1000,
    );
    // the endpoint's own failure, for comparison
    const broken = await deliveryRow(failed.deliveryId);
    expect(broken).toMatchObject({ state: 'pending', attempts: 1 });
    expect(broken.failing_since).toBeInstanceOf(Date);

    const { values } = await metrics.webhookDeliveries.get();
    const counted = Object.fromEntries(values.map((v) => [v.labels.outcome, v.value]));
    expect(counted).toEqual({ delivered: 1, deferred: 1, failed: 1 });
  });
});
