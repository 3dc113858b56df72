import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';
import { startServe, stopAll } from './support/processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function flushRedis(env: TestEnvironment): Promise<void> {
  const redis = new Redis(env.redisUrl);
  try {
    const keys = await redis.keys(`${env.queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}

describe('webhook delivery through kill -9 and a flushed Redis', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let api: TestApp;
  let receiver: Server;
  /** webhook-id → how many times a 2xx answered it; a slow receiver keeps deliveries in flight when we kill */
  const seen = new Map<string, number>();

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          const id = String(req.headers['webhook-id']);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          res.writeHead(204).end();
        }, 30);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    api = await startTestApp(env.config(), { roles: { api: true, worker: false } });
  });

  afterAll(async () => {
    await stopAll();
    await api?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await mastodon?.close();
    await env?.destroy();
  });

  it('delivers every event at least once, and each exactly once by webhook-id, whatever is killed or flushed', async () => {
    const { port } = receiver.address() as AddressInfo;
    await api
      .write('post', '/api/v1/subscriptions')
      .send({ url: `http://127.0.0.1:${port}/hook`, events: ['statement.created'] })
      .expect(201);
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    for (let i = 0; i < 40; i++) mastodon.publish('mfa', { content: `<p>Before tracking, ${i}.</p>` });
    await api
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 })
      .expect(201);

    const deliveredAtKill: number[] = [];
    // a short send timeout keeps the lease of a killed sender's deliveries short
    const workerEnv = env.env({
      PORT: '0',
      VERBATIM_WEBHOOK_RETRY_BASE_SECONDS: '1',
      VERBATIM_WEBHOOK_TIMEOUT_MS: '2000',
    });
    for (let round = 0; round < 4; round++) {
      const worker = startServe('worker', workerEnv, `worker round ${round + 1}`);
      for (let i = 0; i < 10; i++) mastodon.publish('mfa', { content: `<p>Round ${round}, ${i}.</p>` });
      // kill while deliveries are flowing: as soon as this worker has delivered something new
      const before = seen.size;
      await waitFor('a delivery in this round', async () => (seen.size > before ? true : undefined), 20_000);
      await sleep(round * 20);
      await worker.kill('SIGKILL');
      deliveredAtKill.push(seen.size);
      if (round % 2 === 0) await flushRedis(env);
    }
    const last = startServe('worker', workerEnv, 'worker final');

    const expected = async () => {
      const rows: { id: string }[] = await api.db.query(
        `SELECT id FROM events WHERE type = 'statement.created'`,
      );
      return rows.map((r) => `msg_${r.id}`);
    };
    const ids = await waitFor(
      'every event delivered and recorded as delivered',
      async () => {
        const all = await expected();
        const [{ pending }]: { pending: string }[] = await api.db.query(
          `SELECT count(*) AS pending FROM deliveries WHERE state <> 'delivered'`,
        );
        return all.length === 80 && all.every((id) => seen.has(id)) && pending === '0' ? all : undefined;
      },
      60_000,
    );
    await last.kill('SIGKILL');
    // the kills landed mid-stream: some events were still undelivered each time
    expect(deliveredAtKill.every((n) => n < 80)).toBe(true);
    expect(new Set(ids).size).toBe(80);
    // nothing was delivered that is not an event, and each event's deliveries share one webhook-id
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    const [{ deliveries }]: { deliveries: string }[] = await api.db.query(
      `SELECT count(*) AS deliveries FROM deliveries`,
    );
    expect(Number(deliveries)).toBe(80);
  });
});
