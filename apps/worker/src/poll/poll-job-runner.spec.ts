import { JobName, type PollDue } from '@app/queues';
import { type PollOutcome } from '@app/capture';
import { POLL_JOB_SPREAD_MS } from '../scheduler/poll-jobs';
import { PollJobRunner } from './poll-job-runner';

const due = (accountId: string, dueAt = '2026-01-01T12:00:00.000Z'): PollDue => ({ accountId, dueAt });

/** A poll that ends when the test says so, counting the polls running at once. */
function controlledPolls() {
  const running = new Set<string>();
  const endings = new Map<string, (outcome: PollOutcome | Error) => void>();
  let most = 0;
  const poll = (poll: PollDue) =>
    new Promise<PollOutcome>((resolve, reject) => {
      running.add(poll.accountId);
      most = Math.max(most, running.size);
      endings.set(poll.accountId, (outcome) => {
        running.delete(poll.accountId);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      });
    });
  const end = (accountId: string, outcome: PollOutcome | Error = 'unchanged') =>
    endings.get(accountId)!(outcome);
  return { poll, end, running, most: () => most };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PollJobRunner', () => {
  it("runs a job's polls side by side and answers their outcomes in order", async () => {
    const polls = controlledPolls();
    const runner = new PollJobRunner(polls.poll, 8);
    const job = runner.run(JobName.PollAccounts, { polls: [due('a'), due('b'), due('c')] });
    await settle();
    expect([...polls.running]).toEqual(['a', 'b', 'c']);
    polls.end('c', 'captured');
    polls.end('a', 'stale');
    polls.end('b');
    expect(await job).toEqual(['stale', 'unchanged', 'captured']);
  });

  it('runs at most pollsAtOnce polls of all its jobs: a slow poll holds its own place only', async () => {
    const polls = controlledPolls();
    const runner = new PollJobRunner(polls.poll, 3);
    const first = runner.run(JobName.PollAccounts, { polls: [due('slow'), due('a1'), due('a2')] });
    const second = runner.run(JobName.PollAccounts, { polls: [due('b1'), due('b2')] });
    await settle();
    expect([...polls.running]).toEqual(['slow', 'a1', 'a2']);
    // the first job's quick polls end: the second job's polls take their places while the slow one runs on
    polls.end('a1');
    polls.end('a2');
    await settle();
    expect([...polls.running].sort()).toEqual(['b1', 'b2', 'slow']);
    polls.end('b1');
    polls.end('b2');
    expect(await second).toEqual(['unchanged', 'unchanged']);
    polls.end('slow');
    await first;
    expect(polls.most()).toBe(3);
  });

  it('starts a poll not yet due at its due time, not with its job', async () => {
    const polls = controlledPolls();
    const runner = new PollJobRunner(polls.poll, 8);
    const dueAt = Date.now() + 150;
    const job = runner.run(JobName.PollAccounts, {
      polls: [due('now'), due('soon', new Date(dueAt).toISOString())],
    });
    await settle();
    expect([...polls.running]).toEqual(['now']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...polls.running]).toEqual(['now', 'soon']);
    polls.end('now');
    polls.end('soon');
    expect(await job).toEqual(['unchanged', 'unchanged']);
  });

  it('waits no longer than a job’s spread, whatever the clocks say', async () => {
    const polls = controlledPolls();
    const runner = new PollJobRunner(polls.poll, 8);
    const job = runner.run(JobName.PollAccounts, { polls: [due('next-year', '2099-01-01T00:00:00.000Z')] });
    await new Promise((resolve) => setTimeout(resolve, POLL_JOB_SPREAD_MS + 100));
    expect([...polls.running]).toEqual(['next-year']);
    polls.end('next-year');
    expect(await job).toEqual(['unchanged']);
  });

  it('fails a job whose poll failed only once all its polls have ended', async () => {
    const polls = controlledPolls();
    const runner = new PollJobRunner(polls.poll, 8);
    let ended = false;
    const job = runner
      .run(JobName.PollAccounts, { polls: [due('a'), due('b')] })
      .finally(() => (ended = true));
    await settle();
    const away = new Error('the database is away');
    polls.end('a', away);
    await settle();
    expect(ended).toBe(false);
    polls.end('b');
    await expect(job).rejects.toBe(away);
  });

  it('still runs a job of one poll, as enqueued before polls went in groups, and refuses other jobs', async () => {
    const polls = controlledPolls();
    const runner = new PollJobRunner(polls.poll, 8);
    const job = runner.run(JobName.PollAccount, due('old'));
    await settle();
    polls.end('old', 'captured');
    expect(await job).toEqual(['captured']);
    await expect(runner.run('poll-everything', { polls: [] })).rejects.toThrow(
      /no handler for job "poll-everything"/,
    );
  });
});
