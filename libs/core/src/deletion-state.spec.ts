import {
  applyRecheckAnswer,
  confirmationDueAt,
  type RecheckAnswer,
  type StatementState,
  type StatementStatus,
  type TransitionEvent,
} from './deletion-state';

const T0 = new Date('2025-01-01T00:00:00.000Z');
const CONFIRM = 600;
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const ANSWERS: Record<string, RecheckAnswer> = {
  found: { kind: 'found' },
  'not-found': { kind: 'not-found' },
  gone: { kind: 'gone' },
  unavailable: { kind: 'unavailable', reason: 'account-suspended' },
  unknown: { kind: 'unknown' },
};

/** Every state a statement can be in, missing with its spell started at T0. */
const STATES: Record<StatementStatus, StatementState> = {
  active: { status: 'active', missingSince: null },
  missing: { status: 'missing', missingSince: T0 },
  deleted: { status: 'deleted', missingSince: null },
  unavailable: { status: 'unavailable', missingSince: null },
};

type Expected = [StatementStatus, TransitionEvent] | null;

/** state × answer, for an answer that comes late enough to confirm a deletion (T0 + 600 s). */
const TABLE: [StatementStatus, keyof typeof ANSWERS, Expected][] = [
  ['active', 'found', null],
  ['active', 'not-found', ['missing', 'statement.missing']],
  ['active', 'gone', ['missing', 'statement.missing']],
  ['active', 'unavailable', ['unavailable', 'account.unavailable']],
  ['active', 'unknown', null],
  ['missing', 'found', ['active', 'statement.restored']],
  ['missing', 'not-found', ['deleted', 'statement.deleted']],
  ['missing', 'gone', ['deleted', 'statement.deleted']],
  ['missing', 'unavailable', ['unavailable', 'account.unavailable']],
  ['missing', 'unknown', null],
  ['deleted', 'found', ['active', 'statement.restored']],
  ['deleted', 'not-found', null],
  ['deleted', 'gone', null],
  ['deleted', 'unavailable', null],
  ['deleted', 'unknown', null],
  ['unavailable', 'found', ['active', 'account.restored']],
  ['unavailable', 'not-found', ['missing', 'statement.missing']],
  ['unavailable', 'gone', ['missing', 'statement.missing']],
  ['unavailable', 'unavailable', null],
  ['unavailable', 'unknown', null],
];

describe('applyRecheckAnswer', () => {
  it('covers every (state × answer) pair', () => {
    expect(TABLE).toHaveLength(Object.keys(STATES).length * Object.keys(ANSWERS).length);
  });

  it.each(TABLE)('%s + %s → %j', (status, answer, expected) => {
    const outcome = applyRecheckAnswer(STATES[status], {
      answer: ANSWERS[answer],
      at: at(CONFIRM),
      absentFromTimeline: null,
      confirmSeconds: CONFIRM,
    });
    if (expected === null) {
      expect(outcome.transition).toBeNull();
      expect(outcome.state).toBe(STATES[status]);
      return;
    }
    const [to, event] = expected;
    expect(outcome.transition).toEqual({
      from: status,
      to,
      event,
      reason: answer === 'unavailable' ? 'account-suspended' : null,
    });
    expect(outcome.state).toEqual({ status: to, missingSince: to === 'missing' ? at(CONFIRM) : null });
  });

  it('does not confirm a deletion earlier than the confirmation delay', () => {
    for (const seconds of [0, 1, 300, CONFIRM - 1]) {
      const outcome = applyRecheckAnswer(STATES.missing, {
        answer: ANSWERS['not-found'],
        at: at(seconds),
        absentFromTimeline: null,
        confirmSeconds: CONFIRM,
      });
      expect(outcome.transition).toBeNull();
      expect(outcome.state.missingSince).toEqual(T0);
    }
  });

  it('does not confirm a deletion while the post still shows on the account timeline', () => {
    const input = { answer: ANSWERS.gone, at: at(CONFIRM * 10), confirmSeconds: CONFIRM };
    expect(applyRecheckAnswer(STATES.missing, { ...input, absentFromTimeline: false }).transition).toBeNull();
    expect(applyRecheckAnswer(STATES.missing, { ...input, absentFromTimeline: true }).state.status).toBe(
      'deleted',
    );
  });

  it('never leaves active on unknown answers, however many in a row', () => {
    let state = STATES.active;
    for (let i = 0; i < 10_000; i++) {
      const outcome = applyRecheckAnswer(state, {
        answer: ANSWERS.unknown,
        at: at(i * 60),
        absentFromTimeline: true,
        confirmSeconds: CONFIRM,
      });
      expect(outcome.transition).toBeNull();
      state = outcome.state;
    }
    expect(state.status).toBe('active');
  });

  it('keeps the start of a missing spell through unknown answers, and confirms later', () => {
    let state: StatementState = STATES.active;
    const step = (answer: RecheckAnswer, seconds: number) =>
      (state = applyRecheckAnswer(state, {
        answer,
        at: at(seconds),
        absentFromTimeline: null,
        confirmSeconds: CONFIRM,
      }).state);
    step(ANSWERS['not-found'], 0);
    step(ANSWERS.unknown, 200);
    step(ANSWERS.unknown, 700);
    expect(state).toEqual({ status: 'missing', missingSince: T0 });
    step(ANSWERS.gone, 700);
    expect(state.status).toBe('deleted');
    step(ANSWERS.found, 800);
    expect(state).toEqual({ status: 'active', missingSince: null });
  });

  it('starts a new missing spell after a restoration', () => {
    let state: StatementState = { status: 'active', missingSince: null };
    for (const [answer, seconds] of [
      ['not-found', 0],
      ['found', 100],
      ['not-found', 200],
      ['not-found', 700],
    ] as const) {
      state = applyRecheckAnswer(state, {
        answer: ANSWERS[answer],
        at: at(seconds),
        absentFromTimeline: null,
        confirmSeconds: CONFIRM,
      }).state;
    }
    // 700 − 200 < 600: the second spell is not confirmed yet
    expect(state).toEqual({ status: 'missing', missingSince: at(200) });
  });

  it('says when a confirmation can first happen', () => {
    expect(confirmationDueAt(T0, CONFIRM)).toEqual(at(CONFIRM));
  });
});
