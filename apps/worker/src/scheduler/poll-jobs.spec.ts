import { JobName } from '@app/queues';
import { POLLS_PER_JOB, POLL_JOB_SPREAD_MS, pollJobs } from './poll-jobs';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const poll = (id: string, offsetMs: number) => ({ id, dueAt: at(offsetMs) });
const ids = (jobs: ReturnType<typeof pollJobs>) => jobs.map((job) => job.polls.map((p) => p.id));

describe('pollJobs', () => {
  it('puts polls already due in jobs of POLLS_PER_JOB, in the order given, to start at once', () => {
    // the scheduler's turns across hosts: a, b, c, a, b, c…
    const due = Array.from({ length: POLLS_PER_JOB + 3 }, (_, i) => poll(`p${i}`, -60_000 + (i % 3) * 1000));
    const jobs = pollJobs(due, NOW, 100);
    expect(ids(jobs)).toEqual([
      due.slice(0, POLLS_PER_JOB).map((p) => p.id),
      due.slice(POLLS_PER_JOB).map((p) => p.id),
    ]);
    expect(jobs.map((job) => job.opts.delay)).toEqual([0, 0]);
    expect(jobs[0].name).toBe(JobName.PollAccounts);
    expect(jobs[0].data.polls[0]).toEqual({ accountId: 'p0', dueAt: due[0].dueAt.toISOString() });
  });

  it('puts polls still to come together only when due within the spread of the job’s first, delayed to it', () => {
    const due = [
      poll('late', 900),
      poll('soon', 100),
      poll('with-soon', 100 + POLL_JOB_SPREAD_MS),
      poll('past-spread', 101 + POLL_JOB_SPREAD_MS),
    ];
    const jobs = pollJobs(due, NOW, 100);
    expect(ids(jobs)).toEqual([['soon', 'with-soon'], ['past-spread'], ['late']]);
    expect(jobs.map((job) => job.opts.delay)).toEqual([100, 101 + POLL_JOB_SPREAD_MS, 900]);
  });

  it('starts no poll late: a job starts when its first poll is due', () => {
    const due = Array.from({ length: 40 }, (_, i) => poll(`p${i}`, i * 37));
    for (const job of pollJobs(due, NOW, 100)) {
      const start = NOW.getTime() + job.opts.delay;
      for (const p of job.polls) {
        expect(p.dueAt.getTime()).toBeGreaterThanOrEqual(start);
        expect(p.dueAt.getTime() - start).toBeLessThanOrEqual(POLL_JOB_SPREAD_MS);
      }
      expect(job.polls.length).toBeLessThanOrEqual(POLLS_PER_JOB);
    }
  });

  it('makes at most maxJobs, leaving out the polls still to come first', () => {
    const due = [
      poll('soon', 1000),
      ...Array.from({ length: 2 * POLLS_PER_JOB }, (_, i) => poll(`o${i}`, -5000)),
    ];
    expect(ids(pollJobs(due, NOW, 2)).flat()).toEqual(due.slice(1).map((p) => p.id));
    expect(pollJobs(due, NOW, 0)).toEqual([]);
  });

  it('names a job by its polls: the same group the same id, another group another', () => {
    const due = [poll('a', -1), poll('b', -1)];
    const [first] = pollJobs(due, NOW, 1);
    const [again] = pollJobs(
      due.map((p) => ({ ...p })),
      NOW,
      1,
    );
    const [other] = pollJobs([poll('a', -1), poll('c', -1)], NOW, 1);
    const [later] = pollJobs([poll('a', 0), poll('b', -1)], NOW, 1);
    expect(again.opts.jobId).toBe(first.opts.jobId);
    expect(new Set([first, other, later].map((job) => job.opts.jobId)).size).toBe(3);
    expect(first.opts.jobId).toMatch(/^polls\.a\.\d+\.[0-9a-f]{16}$/);
  });
});
