import { Backoffs, type BackoffOptions, type MinimalJob } from 'bullmq';
import { bullOptions, retryDelayMs } from './queues.module';

/** A capture request records when the queue will retry its job: our formula must be BullMQ's, for our job options. */
describe('retryDelayMs', () => {
  it("is the delay BullMQ's backoff gives a job after each of its failures", async () => {
    const { backoff } = bullOptions({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'unused',
    }).defaultJobOptions;
    for (let failures = 1; failures <= 5; failures++) {
      const queues = await Backoffs.calculate(
        backoff as BackoffOptions,
        failures,
        new Error('source-unavailable'),
        {} as MinimalJob,
      );
      expect([failures, retryDelayMs(failures)]).toEqual([failures, queues]);
    }
    expect(retryDelayMs(1)).toBe(2000);
    expect(retryDelayMs(4)).toBe(16_000);
  });
});
