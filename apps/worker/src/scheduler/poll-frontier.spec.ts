import { PollFrontier } from './poll-frontier';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0, ms));

describe('PollFrontier', () => {
  it('resumes each host after the last poll enqueued for it, the latest by due time then id', () => {
    const frontier = new PollFrontier(5_000);
    expect(frontier.resumeFrom('e1', 0)).toBeUndefined();
    frontier.enqueued([
      { host: 'a.example', id: '2', dueAt: at(10) },
      { host: 'b.example', id: '9', dueAt: at(5) },
      { host: 'a.example', id: '1', dueAt: at(20) },
    ]);
    // one enqueued behind the point (a poll brought forward, offered by a one-sort read) does not move it back
    frontier.enqueued([
      { host: 'a.example', id: '3', dueAt: at(15) },
      { host: 'b.example', id: 'a', dueAt: at(5) },
    ]);
    expect(frontier.resumeFrom('e1', 1_000)).toEqual(
      new Map([
        ['a.example', { id: '1', dueAt: at(20) }],
        ['b.example', { id: 'a', dueAt: at(5) }],
      ]),
    );
  });

  it('reads from the start again after its period, and at once under a new epoch', () => {
    const frontier = new PollFrontier(5_000);
    frontier.resumeFrom('e1', 0);
    frontier.enqueued([{ host: 'a.example', id: '1', dueAt: at(0) }]);
    expect(frontier.resumeFrom('e1', 4_999)?.size).toBe(1);
    expect(frontier.resumeFrom('e1', 5_000)).toBeUndefined();
    // the read from the start began a new frontier
    expect(frontier.resumeFrom('e1', 5_001)?.size).toBe(0);
    frontier.enqueued([{ host: 'a.example', id: '1', dueAt: at(0) }]);
    expect(frontier.resumeFrom('e2', 5_002)).toBeUndefined();
    expect(frontier.resumeFrom('e2', 5_003)?.size).toBe(0);
  });

  it('reads a host whose polls were brought forward from the start, the others where they were', () => {
    const frontier = new PollFrontier(5_000);
    frontier.resumeFrom('e1', 0);
    frontier.enqueued([
      { host: 'a.example', id: '1', dueAt: at(0) },
      { host: 'b.example', id: '2', dueAt: at(0) },
    ]);
    frontier.startOver(['a.example']);
    expect(frontier.resumeFrom('e1', 1)).toEqual(new Map([['b.example', { id: '2', dueAt: at(0) }]]));
  });
});
