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
  /** webhook-id → how many times the receiver took it (answered or held) */
  const seen = new Map<string, number>();
  /**
   * Each round the receiver answers a few requests, then holds the rest unanswered until the worker
   * is killed: the kill always lands with deliveries in flight, however fast the machine is.
   */
  let answerLimit = Infinity;
  let answeredThisRound = 0;
  const held: (() => void)[] = [];
  const heldIds = new Set<string>();

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const take = () => {
          seen.set(id, (seen.get(id) ?? 0) + 1);
          res.writeHead(204).end();
        };
        if (answeredThisRound >= answerLimit) {
          held.push(take);
          heldIds.add(id);
          return;
        }
        answeredThisRound += 1;
        setTimeout(take, 30);
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
      answeredThisRound = 0;
      answerLimit = round + 1;
      const worker = startServe('worker', workerEnv, `worker round ${round + 1}`);
      for (let i = 0; i < 10; i++) mastodon.publish('mfa', { content: `<p>Round ${round}, ${i}.</p>` });
      // kill while deliveries are in flight: once this round's answers are used up and one more waits
      await waitFor('deliveries held in flight', async () => (held.length > 0 ? true : undefined), 20_000);
      await sleep(round * 20);
      await worker.kill('SIGKILL');
      deliveredAtKill.push(seen.size);
      // the receiver took these, but the killed worker never saw the 2xx: they must come again, same id
      for (const take of held.splice(0)) take();
      if (round % 2 === 0) await flushRedis(env);
    }
    answerLimit = Infinity;
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
    // every delivery whose 2xx a kill swallowed came again under the same webhook-id
    expect(heldIds.size).toBeGreaterThan(0);
    expect([...heldIds].filter((id) => (seen.get(id) ?? 0) < 2)).toEqual([]);
    // nothing was delivered that is not an event, and each event's deliveries share one webhook-id
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    const [{ deliveries }]: { deliveries: string }[] = await api.db.query(
      `SELECT count(*) AS deliveries FROM deliveries`,
    );
    expect(Number(deliveries)).toBe(80);
  });
});
