import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { type DataSource } from 'typeorm';
import { CaptureWriter, QuotationRecorder } from '@app/capture';
import { MetricsService } from '@app/observability';
import { createCaptureRequest, createDataSource } from '@app/persistence';
import { bullOptions, JobName, jobIds, QueueName } from '@app/queues';
import { ConnectorRegistry, FeedConnector, type GuardedHttpClient } from '@app/sources';
import { rssFeed, startFakeFeedServer, type FakeFeedServer } from '@app/testing/fake-feed-server';
import { testHttpClient } from '@app/testing/test-http-client';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { waitFor } from '@app/testing/wait-for';
import { CaptureUrlProcessor } from './capture-url.processor';
import { CaptureUrlUseCase } from './capture-url.use-case';

/** The worker's capture path on real queues (kept in `queues`, to close): processor, use case, writer, feeds. */
function startCaptureWorker(env: TestEnvironment, db: DataSource, http: GuardedHttpClient, queues: Queue[]) {
  const config = env.config();
  const options = bullOptions(config);
  const [captureQueue, logQueue, outboxQueue, mediaQueue] = [
    QueueName.Capture,
    QueueName.Log,
    QueueName.Outbox,
    QueueName.Media,
  ].map((name) => {
    const queue = new Queue(name, options);
    queues.push(queue);
    return queue;
  });
  const registry = new ConnectorRegistry([new FeedConnector(http, { maxLinkChecks: 0 })]);
  const processor = new CaptureUrlProcessor(
    new CaptureUrlUseCase(
      db,
      registry,
      new CaptureWriter(db, config, new MetricsService(), logQueue, outboxQueue, mediaQueue),
      new QuotationRecorder(db, config, registry, logQueue, captureQueue, outboxQueue),
    ),
  );
  const worker = new Worker(QueueName.Capture, (job, token) => processor.process(job, token), options);
  return { captureQueue, worker };
}

/** A capture put off for our own load, through a real queue, database and HTTP client. */
describe('CaptureUrlProcessor: a capture our own load refused (real database and queue)', () => {
  let env: TestEnvironment;
  let db: DataSource;
  let feeds: FakeFeedServer;
  let staller: Server;
  const queues: Queue[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 4 });
    await db.initialize();
    feeds = await startFakeFeedServer();
    feeds.setFeed(
      '/news.xml',
      rssFeed({
        title: 'Ministry of Foreign Affairs',
        link: 'https://mfa.example/',
        items: [
          { guid: 'statement-1', link: 'https://mfa.example/1', title: 'Statement', description: 'Words.' },
        ],
      }),
    );
    // announces a body that fills most of the client's bound, sends part of it, and stalls
    staller = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '3800' }).write(Buffer.alloc(100));
    });
    staller.listen(0, '127.0.0.1');
    await once(staller, 'listening');
  });
  afterAll(async () => {
    for (const queue of queues) await queue.close();
    staller.closeAllConnections();
    staller.close();
    await feeds.close();
    await db?.destroy();
    await env?.destroy();
  });

  it('waits in the queue without spending an attempt, marked deferred, and is captured once the load has passed', async () => {
    const http = testHttpClient({ maxBytes: 4000, maxBytesInFlight: 4000, totalTimeoutMs: 5000 });
    const { captureQueue, worker } = startCaptureWorker(env, db, http, queues);
    const stalled = http
      .request(`http://127.0.0.1:${(staller.address() as AddressInfo).port}/`, { timeoutMs: 60_000 })
      .catch(() => null);
    try {
      await waitFor('the staller to hold the bound', async () => http.bytesInFlight === 3800);
      const { id } = await createCaptureRequest(db.manager, feeds.url('/news.xml'));
      const asked = Date.now();
      await captureQueue.add(JobName.CaptureUrl, { requestId: id }, { jobId: jobIds.capture(id) });

      const row = await waitFor('the deferral', async () => {
        const [r]: {
          state: string;
          attempts: number;
          error_code: string | null;
          deferred_since: Date | null;
          retry_at: Date | null;
        }[] = await db.query(
          `SELECT state, attempts, error_code, deferred_since, retry_at FROM capture_requests WHERE id = $1`,
          [id],
        );
        return r.deferred_since ? r : undefined;
      });
      expect(row).toMatchObject({ state: 'queued', attempts: 0, error_code: 'local-overload' });
      // when it is tried again, a first deferral's 5–30 s: kept where a flushed Redis cannot lose it
      const waits = row.retry_at!.getTime() - asked;
      expect(waits).toBeGreaterThanOrEqual(5000);
      expect(waits).toBeLessThanOrEqual(30_000 + (Date.now() - asked));
      // the source was not asked
      expect(feeds.requestCount('/news.xml')).toBe(0);
      // the row is written before the job is moved: wait for the move
      const job = await waitFor('the job to wait', async () => {
        const found = await captureQueue.getJob(jobIds.capture(id));
        return found && (await found.getState()) === 'delayed' ? found : undefined;
      });
      expect(job.attemptsMade).toBe(0);

      // the load passes; the job comes back (sooner than its 5–30 s, for the test) and captures
      staller.closeAllConnections();
      await stalled;
      await job.promote();
      const done = await waitFor('the capture', async () => {
        const [r]: { state: string; attempts: number; statement_ids: string[] }[] = await db.query(
          `SELECT state, attempts, statement_ids FROM capture_requests WHERE id = $1`,
          [id],
        );
        return r.state === 'queued' ? undefined : r;
      });
      expect(done).toMatchObject({ state: 'completed', attempts: 1 });
      expect(done.statement_ids).toHaveLength(1);
      expect(feeds.requestCount('/news.xml')).toBe(1);
    } finally {
      await worker.close();
      await http.close();
    }
  });
});

/** A capture the source failed: the queue backs off, and the request keeps when the queue will try it again. */
describe('CaptureUrlProcessor: a capture the source failed (real database and queue)', () => {
  let env: TestEnvironment;
  let db: DataSource;
  let feeds: FakeFeedServer;
  const queues: Queue[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 4 });
    await db.initialize();
    feeds = await startFakeFeedServer();
    feeds.setFeed('/down.xml', { body: 'down for maintenance', contentType: 'text/plain', status: 503 });
  });
  afterAll(async () => {
    for (const queue of queues) await queue.close();
    await feeds.close();
    await db?.destroy();
    await env?.destroy();
  });

  it("records each retry at the end of the queue's backoff, which grows with the job's failures", async () => {
    const http = testHttpClient({ totalTimeoutMs: 5000 });
    const { captureQueue, worker } = startCaptureWorker(env, db, http, queues);
    const retryAtAfter = async (id: string, attempts: number) => {
      const [r]: { attempts: number; retry_at: Date | null; error_code: string | null }[] = await db.query(
        `SELECT attempts, retry_at, error_code FROM capture_requests WHERE id = $1`,
        [id],
      );
      return r.attempts === attempts ? r : undefined;
    };
    try {
      const { id } = await createCaptureRequest(db.manager, feeds.url('/down.xml'));
      let asked = Date.now();
      await captureQueue.add(JobName.CaptureUrl, { requestId: id }, { jobId: jobIds.capture(id) });
      const first = await waitFor('the first failure', () => retryAtAfter(id, 1));
      expect(first.error_code).toBe('source-unavailable');
      // the queue waits 2 s after a first failure
      expect(first.retry_at!.getTime() - asked).toBeGreaterThanOrEqual(2000);
      expect(first.retry_at!.getTime() - Date.now()).toBeLessThanOrEqual(2000);
      const job = (await captureQueue.getJob(jobIds.capture(id)))!;
      expect(await job.getState()).toBe('delayed');
      // the second try, brought forward: the queue would wait 4 s after it, and the request says so
      asked = Date.now();
      await job.promote();
      const second = await waitFor('the second failure', () => retryAtAfter(id, 2));
      expect(second.retry_at!.getTime() - asked).toBeGreaterThanOrEqual(4000);
      expect(second.retry_at!.getTime() - Date.now()).toBeLessThanOrEqual(4000);
      expect(feeds.requestCount('/down.xml')).toBe(2);
    } finally {
      await worker.close();
      await http.close();
    }
  });
});
