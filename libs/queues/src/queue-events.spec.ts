import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { bullOptions, QUEUE_EVENTS_KEPT } from './queues.module';
import { QueueName } from './queue-names';

describe('queue event streams (on a real Redis)', () => {
  let env: TestEnvironment;
  let queue: Queue;

  beforeAll(async () => {
    env = await createTestEnvironment();
    queue = new Queue(QueueName.Poll, bullOptions({ redisUrl: env.redisUrl, queuePrefix: env.queuePrefix }));
  });
  afterAll(async () => {
    await queue?.close();
    await env?.destroy();
  });

  it(`keep about ${QUEUE_EVENTS_KEPT} events however many jobs pass`, async () => {
    // every job added writes an event or two to the queue's stream
    for (let round = 0; round < 5; round++)
      await queue.addBulk(Array.from({ length: 1_000 }, (_, i) => ({ name: 'noop', data: { round, i } })));
    const redis = new Redis(env.redisUrl);
    const kept = await redis.xlen(`${env.queuePrefix}:${QueueName.Poll}:events`);
    await redis.quit();
    // trimming is approximate: whole nodes of the stream (100 entries each by Redis's default) go at once
    expect(kept).toBeGreaterThanOrEqual(QUEUE_EVENTS_KEPT);
    expect(kept).toBeLessThanOrEqual(QUEUE_EVENTS_KEPT + 200);
  });
});
