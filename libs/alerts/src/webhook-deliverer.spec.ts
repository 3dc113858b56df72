import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type DataSource } from 'typeorm';
import { ErrorCode } from '@app/core';
import { MetricsService } from '@app/observability';
import { createDataSource } from '@app/persistence';
import { testHttpClient } from '@app/testing/test-http-client';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
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

  async function waitFor(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!condition()) throw new Error('the condition never held');
  }

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

  it('delivers while the process is receiving all the response bytes it may: a reply is not held against them', async () => {
    // a source sending a body: it holds 600 of the 1,000 bytes the client may receive at once until released
    let release = () => {};
    const source = await receiver((_req, res) => {
      res.writeHead(200, { 'content-length': '600' }).write(Buffer.alloc(100, 0x61));
      release = () => res.end(Buffer.alloc(500, 0x61));
    });
    // a receiver that answers with more than is left of the bound
    const chatty = await receiver((_req, res) =>
      res.writeHead(200, { 'content-length': '500' }).end(Buffer.alloc(500, 0x62)),
    );
    const down = await receiver((_req, res) => res.writeHead(503).end());
    const delivered = await pendingDelivery(chatty, 1);
    const failed = await pendingDelivery(down, 2);
    const metrics = new MetricsService();
    const http = testHttpClient({ maxBytes: 1000, maxBytesInFlight: 1000, totalTimeoutMs: 5000 });
    const deliverer = new WebhookDeliverer(db, env.config(), http, metrics);
    try {
      const polling = http.request(source, { timeoutMs: 60_000 });
      await waitFor(() => http.bytesInFlight === 600);
      // a buffered read of the same answer is refused as our load: the bound is full
      await expect(http.request(chatty)).rejects.toMatchObject({ code: ErrorCode.LocalOverload });

      expect(await deliverer.deliverOnce()).toEqual({ attempted: 2, more: false });
      expect(http.bytesInFlight).toBe(600);
      release();
      expect((await polling).body).toHaveLength(600);
    } finally {
      await http.close();
    }

    expect(await deliveryRow(delivered.deliveryId)).toMatchObject({
      state: 'delivered',
      attempts: 1,
      failing_since: null,
      recorded: [null],
    });
    // the endpoint's own failure, for comparison
    const broken = await deliveryRow(failed.deliveryId);
    expect(broken).toMatchObject({
      state: 'pending',
      attempts: 1,
      recorded: ['the endpoint answered HTTP 503'],
    });
    expect(broken.failing_since).toBeInstanceOf(Date);
    const { values } = await metrics.webhookDeliveries.get();
    expect(Object.fromEntries(values.map((v) => [v.labels.outcome, v.value]))).toEqual({
      delivered: 1,
      failed: 1,
    });
  });

  it("records a receiver that never answers as timed out after the webhook's limit, not the sources'", async () => {
    const silent = await receiver(() => undefined);
    const { deliveryId } = await pendingDelivery(silent, 50);
    // the sources' limit far longer than the webhook's, as by default (20 s against 10 s)
    const http = testHttpClient({ totalTimeoutMs: 20_000 });
    const deliverer = new WebhookDeliverer(
      db,
      env.config({ VERBATIM_WEBHOOK_TIMEOUT_MS: '300' }),
      http,
      new MetricsService(),
    );
    try {
      expect(await deliverer.deliverOnce()).toEqual({ attempted: 1, more: false });
    } finally {
      await http.close();
    }

    expect(await deliveryRow(deliveryId)).toMatchObject({
      state: 'pending',
      recorded: [`${new URL(silent).host}: request timed out after 300 ms`],
    });
    const [{ latency_ms }]: { latency_ms: number }[] = await db.query(
      `SELECT latency_ms FROM delivery_attempts WHERE delivery_id = $1`,
      [deliveryId],
    );
    expect(latency_ms).toBeGreaterThanOrEqual(300);
    expect(latency_ms).toBeLessThan(5000);
  });

  it('judges a delivery by its status, whatever the reply body does after it', async () => {
    const answers: Record<string, (res: ServerResponse) => void> = {
      // announced and sent well past what is read of a reply
      long: (res) =>
        res.writeHead(200, { 'content-length': String(3 * 1024 * 1024) }).end(Buffer.alloc(3 * 1024 * 1024)),
      // a status, then a body that never ends within the deadline
      stalling: (res) => res.writeHead(202, { 'content-length': '100' }).write('{'),
      empty: (res) => res.writeHead(204).end(),
      refused: (res) => res.writeHead(410, { 'content-length': '5' }).end('gone!'),
    };
    const deliveries: Record<string, string> = {};
    let position = 100;
    for (const [name, answer] of Object.entries(answers))
      deliveries[name] = (
        await pendingDelivery(await receiver((_req, res) => answer(res)), position++)
      ).deliveryId;
    const http = testHttpClient();
    const deliverer = new WebhookDeliverer(
      db,
      env.config({ VERBATIM_WEBHOOK_TIMEOUT_MS: '1000' }),
      http,
      new MetricsService(),
    );
    try {
      expect((await deliverer.deliverOnce()).attempted).toBe(Object.keys(answers).length);
    } finally {
      await http.close();
    }
    for (const name of ['long', 'stalling', 'empty'])
      expect(await deliveryRow(deliveries[name])).toMatchObject({ state: 'delivered', recorded: [null] });
    expect(await deliveryRow(deliveries.refused)).toMatchObject({
      state: 'pending',
      recorded: ['the endpoint answered HTTP 410'],
    });
  });
});
